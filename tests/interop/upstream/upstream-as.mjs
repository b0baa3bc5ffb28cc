// SPDX-License-Identifier: GPL-3.0-or-later
// The "remote" MCP server for core/upstream's tests (issue 11.1): the repo's sample MCP server
// (../mcp-server/server.mjs) protected by an independent authorization server, node
// `oidc-provider` 8.8.1, configured as an MCP authorization server:
//   - issuer http://127.0.0.1:PORT (plain HTTP on loopback; HTTPS with a test CA is later),
//     RFC 8414 metadata at /.well-known/oauth-authorization-server, RFC 9207 iss in responses;
//   - open RFC 7591 registration at /reg, PKCE S256 required, RFC 8707 resource indicators for
//     the one MCP resource, JWT access tokens (typ at+jwt, aud = resource), 60 s lifetime;
//   - a refresh token on every code exchange, rotated on every use; RFC 7009 revocation;
//   - the person, headless: GET /interaction/:uid signs the test user in and grants what was
//     asked (findAccount + a programmatic interaction; no login page to fill in).
// The browser leg is real (headless Chromium follows the redirects, see authorize.mjs).
//
//   node upstream-as.mjs
// Prints one JSON line {"issuer","mcpUrl","resource"} on stdout once both listen; stops on
// SIGTERM/SIGINT or when stdin closes (so a crashed test leaves nothing behind).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

import { startMcpServer } from '../mcp-server/server.mjs';
import { listen } from '../lib/net.mjs';

const SCOPES = ['files:read', 'files:write'];
const ACCOUNT = 'upstream-test-user';

let provider;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
    interaction(req, res);
    return;
  }
  provider.callback()(req, res);
});
const port = await listen(server, 0);
const issuer = `http://127.0.0.1:${port}`;

const mcp = await startMcpServer({ issuer, jwksUri: `${issuer}/jwks`, scopes: SCOPES, challengeScopes: ['files:read'] });
const RESOURCE = mcp.resource;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };

provider = new Provider(issuer, {
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: SCOPES.join(' '),
          audience: RESOURCE,
          accessTokenTTL: 60,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  ttl: { AccessToken: 60, AuthorizationCode: 60, RefreshToken: 600, Grant: 600, Session: 600, Interaction: 120 },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'application/json';
    ctx.body = out;
  },
});
provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error:', err));

async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { params } = details;
    const accountId = details.session?.accountId ?? ACCOUNT;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    const scope = String(params.scope ?? '');
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

process.stdout.write(`${JSON.stringify({ issuer, mcpUrl: mcp.url, resource: RESOURCE })}\n`);

const stop = () => {
  server.closeAllConnections?.();
  server.close();
  mcp.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, stop);
process.stdin.on('end', stop);
process.stdin.resume();
