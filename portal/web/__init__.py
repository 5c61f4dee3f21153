"""What every page shares: CSRF, rate limits, error pages, staff sign-in, the proxy and HSTS."""
