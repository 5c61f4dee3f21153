"""How staff prove who they are beyond a password: single sign-on with the company's
OpenID Connect provider (sso). docs/identity.md is the guide."""
