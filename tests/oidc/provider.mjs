// A real OpenID Connect provider (panva's certified oidc-provider) on loopback, for the
// portal's single sign-on tests; tests/helpers/oidc.py writes its files and starts it.
//
//   node tests/oidc/provider.mjs --port 8123 --keys keys.json --clients clients.json \
//        --accounts accounts.json [--issuer http://127.0.0.1:8123] [--id-token-ttl 600]
//
// Each option may come from the environment instead: OIDC_PORT, OIDC_ISSUER, OIDC_KEYS,
// OIDC_CLIENTS, OIDC_ACCOUNTS, OIDC_ID_TOKEN_TTL.
//
// --keys: a JWKS of private RS256 signing keys; the first one signs, the others are
//   still published (so a restart with new+old rotates keys without breaking tokens).
// --clients: a JSON array of client metadata (client_id, client_secret, redirect_uris, ...).
// --accounts: a JSON object, login name -> claims ({"ada": {"sub": "ada", "email": ...}});
//   the account's `sub` defaults to its login name.
//
// Sign-in is a small HTML form (<input name="login">, <button type="submit">) that accepts
// only the ids of --accounts; consent for whatever was requested is granted at once.
// Prints `ready <issuer>` on stdout once it listens; exits 0 on SIGTERM or SIGINT.

import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT },
    issuer: { type: 'string', default: process.env.OIDC_ISSUER },
    keys: { type: 'string', default: process.env.OIDC_KEYS },
    clients: { type: 'string', default: process.env.OIDC_CLIENTS },
    accounts: { type: 'string', default: process.env.OIDC_ACCOUNTS },
    'id-token-ttl': { type: 'string', default: process.env.OIDC_ID_TOKEN_TTL ?? '600' },
  },
  strict: true,
});

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

function readJson(option) {
  if (!args[option]) fail(`--${option} FILE is required`);
  try {
    return JSON.parse(readFileSync(args[option], 'utf8'));
  } catch (error) {
    return fail(`--${option} ${args[option]}: ${error.message}`);
  }
}

const port = Number.parseInt(args.port ?? '', 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('--port PORT is required');
const issuer = args.issuer ?? `http://127.0.0.1:${port}`;
const idTokenTtl = Number.parseInt(args['id-token-ttl'], 10);
if (!Number.isInteger(idTokenTtl) || idTokenTtl <= 0) fail('--id-token-ttl must be a positive number of seconds');

const jwks = readJson('keys');
const clients = readJson('clients');
const accounts = readJson('accounts');
if (!Array.isArray(jwks.keys) || !jwks.keys.length) fail('--keys must hold a JWKS with at least one key');
if (!Array.isArray(clients)) fail('--clients must hold a JSON array of client metadata');
if (typeof accounts !== 'object' || accounts === null || Array.isArray(accounts)) {
  fail('--accounts must hold a JSON object: account id -> claims');
}

// The claims each scope releases. `groups` comes with `profile` and with its own scope, so
// a client asking for "openid email profile" gets it as well as one asking for "groups".
const PROFILE = [
  'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username',
  'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
];
const claims = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: [...PROFILE, 'groups'],
  groups: ['groups'],
};

// An account's id at the provider is its `sub` (its login name where it has none); the
// login form takes the keys of --accounts.
const bySub = new Map(Object.entries(accounts).map(
  ([login, account]) => [account.sub ?? login, { ...account, sub: account.sub ?? login }],
));

async function findAccount(ctx, sub) {
  const account = bySub.get(sub);
  if (!account) return undefined;
  // The provider filters these by the scopes and claims that were granted.
  return { accountId: sub, claims: async () => ({ ...account }) };
}

const provider = new Provider(issuer, {
  jwks,
  clients,
  findAccount,
  claims,
  // Scope-released claims (email, name, groups) go into the ID token itself, not only
  // into the userinfo response, even though the code flow also issues an access token.
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  // PKCE for every authorization code request; oidc-provider 9 knows S256 only.
  pkce: { required: () => true },
  cookies: {
    // Signed cookies; a fresh key per process (sessions live in memory and end with it).
    keys: [crypto.randomBytes(32).toString('base64url')],
  },
  clientBasedCORS: () => false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: true },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: idTokenTtl,
    Interaction: 600,
    Grant: 3600,
    Session: 3600,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><p role="alert">${escape(out.error)}: ${escape(out.error_description ?? '')}</p>`);
  },
});

// -- interactions: a login form for the accounts of --accounts, consent granted at once --

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body>${body}</body></html>`;
}

function loginPage(uid, clientId, { login = '', error } = {}) {
  const alert = error ? `<p role="alert" class="error">${escape(error)}</p>` : '';
  return page('Sign in', `<h1>Sign in to ${escape(clientId)}</h1>${alert}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">Login</label>
<input id="login" name="login" type="text" value="${escape(login)}" required autofocus>
<button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${escape(uid)}/abort">Cancel</a></p>`);
}

async function formBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(ctx, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const saved = await grant.save();
  const consent = grantId ? {} : { grantId: saved };
  return finish(ctx, { consent }, true);
}

// Stores the interaction's result and sends the browser back to the provider (303).
async function finish(ctx, result, mergeWithLastSubmission = false) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

const INTERACTION = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/;

provider.use(async (ctx, next) => {
  const match = INTERACTION.exec(ctx.path);
  if (!match) return next();
  ctx.set('cache-control', 'no-store');
  const [, uid, action = ''] = match;
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction uid mismatch');
    const clientId = details.params.client_id;

    if (ctx.method === 'GET' && action === '') {
      if (details.prompt.name === 'login') {
        ctx.type = 'html';
        ctx.body = loginPage(uid, clientId);
        return undefined;
      }
      if (details.prompt.name === 'consent') {
        return grantConsent(ctx, details);
      }
      throw new Error(`unexpected prompt ${details.prompt.name}`);
    }

    if (ctx.method === 'POST' && action === '/login') {
      if (details.prompt.name !== 'login') throw new errors.SessionNotFound('no login is pending');
      const login = ((await formBody(ctx.req)).get('login') ?? '').trim();
      if (!Object.hasOwn(accounts, login)) {
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = loginPage(uid, clientId, { login, error: `Unknown login "${login}".` });
        return undefined;
      }
      const accountId = accounts[login].sub ?? login;
      return finish(ctx, { login: { accountId, amr: ['pwd'] } });
    }

    if (ctx.method === 'GET' && action === '/abort') {
      return finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
    }

    ctx.status = 405;
    return undefined;
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1><p role="alert">${escape(error.error_description ?? error.message)}</p>`);
    return undefined;
  }
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
server.on('error', (error) => fail(error.message));

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
