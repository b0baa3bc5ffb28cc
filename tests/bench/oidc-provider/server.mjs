// SPDX-License-Identifier: GPL-3.0-or-later
// node `oidc-provider` configured like Tessera for the refresh-rotation benchmark
// (tests/bench/README.md, "Equivalence"):
//   - issuer http://127.0.0.1:PORT, open dynamic client registration (RFC 7591) at /reg; the
//     benchmark registers one public client (auth method none, redirect http://127.0.0.1/cb);
//     PKCE S256 required;
//   - RFC 8707 resource indicators: one resource, scope files:read, access tokens are ES256
//     JWTs (typ at+jwt) with aud = the resource, 300 s lifetime;
//   - a refresh token on every code exchange, rotated on every use, 30-day lifetime;
//   - an unbounded Map-backed adapter (the bundled memory adapter is an LRU of 1000 entries,
//     which would evict live refresh tokens under load and turn them into invalid_grant);
//   - no consent UI: GET /interaction/:uid signs the bench user in and grants what was asked.
//
//   node server.mjs --port P [--resource URI] [--scope S]
// Prints one line `ready <issuer>` on stdout once listening. Stops on SIGTERM/SIGINT.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

import { UnboundedMemoryAdapter } from './adapter.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    resource: { type: 'string', default: 'http://127.0.0.1:8931/mcp' },
    scope: { type: 'string', default: 'files:read' },
  },
});
if (!opts.port) {
  console.error('usage: node server.mjs --port P [--resource URI] [--scope S]');
  process.exit(2);
}
const port = Number(opts.port);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = opts.resource;
const ACCOUNT = 'bench-user';

// Tessera signs with one P-256 key; so does this provider (no RSA key at all).
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };

const configuration = {
  adapter: UnboundedMemoryAdapter,
  // No static client: the benchmark registers its public client by RFC 7591 DCR, as with Tessera.
  // Registered clients are kept by the adapter (model Client), so nothing evicts them either.
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Public clients must use PKCE; oidc-provider accepts S256 only here.
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: false },
    // Open RFC 7591 registration at /reg, like Tessera's /register.
    registration: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: opts.scope,
          audience: RESOURCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  // Tessera issues a refresh token with every non-"once" grant, without offline_access.
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 300,
    AuthorizationCode: 60,
    RefreshToken: 30 * 86400,
    Grant: 365 * 86400,
    Session: 86400,
    Interaction: 600,
  },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Interactions are completed programmatically; no rendering is ever needed.
  renderError: async (ctx, out) => {
    ctx.type = 'application/json';
    ctx.body = out;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error:', err));

const callback = provider.callback();

// The person, headless: whatever the prompt (login, consent), sign in the bench user and grant
// exactly the requested scope on the requested resource, in one step.
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { params } = details;
    const accountId = details.session?.accountId ?? ACCOUNT;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    const scope = String(params.scope ?? opts.scope);
    const resources = params.resource ? [].concat(params.resource) : [RESOURCE];
    for (const r of resources) grant.addResourceScope(r, scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  } catch (e) {
    res.statusCode = 500;
    res.setHeader('Content-Type', 'text/plain');
    res.end(`interaction failed: ${e.message}\n`);
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    interaction(req, res);
    return;
  }
  callback(req, res);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.once(sig, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
