// SPDX-License-Identifier: GPL-3.0-or-later
// The reference authorization server: the TypeScript SDK 1.x's own AS endpoints
// (mcpAuthRouter: /authorize, /token, /register, /revoke, RFC 8414 metadata, with the SDK's
// request validation, PKCE check and loopback redirect matching) over an in-memory provider
// written here that behaves like Tessera's contract: RFC 9068 ES256 JWT access tokens,
// rotating refresh tokens with reuse detection, grants, a consent page that moves on to a
// held /authorize/wait until the approver decides, `iss` on authorization responses,
// /jwks and /introspect.
//
// It lets the flows and the harness run, and be checked, without Tessera. It offers the
// same administrative interface as startTesseraAs() in lib/tessera.mjs (addResource, prm,
// addClient, listRequests, approve, deny, revokeClient, grants).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import express from 'express';
import { jwtVerify, SignJWT, createLocalJWKSet } from 'jose';
import { createOAuthMetadata, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { InvalidGrantError, InvalidScopeError, InvalidTargetError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { closeServer, freePort, listen } from './net.mjs';
import { makeKey } from './testkeys.mjs';

const DURATIONS = { once: 0, '1h': 3600e3, '1d': 86400e3, forever: Infinity };

/** RFC 8707 resource comparison: lower-case scheme and host, no lone trailing slash. */
export function canonicalResource(uri) {
  const u = new URL(uri);
  let s = `${u.protocol}//${u.host}${u.pathname}`.replace(/\/$/, '');
  if (u.search) s += u.search;
  return s;
}

const sha = (s) => createHash('sha256').update(s).digest('base64url');

export async function startReferenceAs({ decisionTimeoutMs = 60000 } = {}) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const key = await makeKey();
  const localJwks = createLocalJWKSet({ keys: [key.jwk] });

  const resources = new Map(); // canonical uri -> resource
  const clients = new Map(); // client_id -> registered client
  const pending = new Map(); // id -> { view, decide }
  const waits = new Map(); // id -> answer(res) for the held /authorize/wait
  const grants = new Map(); // id -> grant
  const codes = new Map(); // sha(code) -> code entry
  const refreshTokens = new Map(); // sha(rt) -> { family, used, clientId, scopes, resource, grantId }
  const families = new Map(); // family -> { revoked, grantId, jtis: Set }
  const revokedJtis = new Set();
  const stats = { authorizeHeld: 0, authorizeImmediate: 0, refreshReuse: 0 };

  const findResource = (uri) => resources.get(canonicalResource(uri));

  function activeGrant(clientId, resourceUri) {
    for (const g of grants.values()) {
      if (g.clientId === clientId && g.resourceUri === resourceUri && g.state === 'active' && g.expiresAt > Date.now()) return g;
    }
    return undefined;
  }

  async function issueTokens({ clientId, resource, scopes, grantId, family }) {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const accessToken = await new SignJWT({ client_id: clientId, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
      .setIssuer(issuer)
      .setSubject('reference-user')
      .setAudience(resource.uri)
      .setIssuedAt(now)
      .setExpirationTime(now + resource.tokenLifetime)
      .setJti(jti)
      .sign(key.privateKey);
    const refreshToken = randomBytes(32).toString('base64url');
    if (!families.has(family)) families.set(family, { revoked: false, grantId, jtis: new Set() });
    families.get(family).jtis.add(jti);
    refreshTokens.set(sha(refreshToken), { family, used: false, clientId, scopes, resourceUri: resource.uri, grantId });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: resource.tokenLifetime,
      scope: scopes.join(' '),
      refresh_token: refreshToken,
    };
  }

  function revokeFamily(family) {
    const f = families.get(family);
    if (!f) return;
    f.revoked = true;
    for (const j of f.jtis) revokedJtis.add(j);
  }

  function revokeGrant(g) {
    g.state = 'revoked';
    for (const [fam, f] of families) if (f.grantId === g.id) revokeFamily(fam);
  }

  function tokenActive(payload) {
    if (revokedJtis.has(payload.jti)) return false;
    for (const f of families.values()) {
      if (f.jtis.has(payload.jti)) {
        const g = grants.get(f.grantId);
        return !f.revoked && g && g.state === 'active';
      }
    }
    return false;
  }

  const provider = {
    clientsStore: {
      getClient: async (id) => clients.get(id),
      registerClient: async (c) => {
        clients.set(c.client_id, { ...c, kind: 'dcr' });
        return c;
      },
    },

    async authorize(client, params, res) {
      if (!params.resource && resources.size !== 1) throw new InvalidTargetError('resource is required');
      const resource = params.resource ? findResource(params.resource.href) : [...resources.values()][0];
      if (!resource) throw new InvalidTargetError('Unknown resource');
      let requested = (params.scopes ?? []).filter(Boolean);
      if (requested.length === 0) requested = resource.defaultScopes;
      const known = new Set(resource.scopes.map((s) => s.name));
      const unknown = requested.filter((s) => !known.has(s));
      if (unknown.length) throw new InvalidScopeError(`Unknown scope ${unknown.join(' ')}`);

      const grant = activeGrant(client.client_id, resource.uri);
      const redirectWith = (out, values) => {
        const back = new URL(params.redirectUri);
        for (const [k, v] of Object.entries(values)) if (v !== undefined) back.searchParams.set(k, v);
        back.searchParams.set('iss', issuer); // RFC 9207 §2, on errors too
        out.redirect(303, back.href);
      };
      const issueCode = (out, approved, grantId) => {
        const code = randomBytes(32).toString('base64url');
        codes.set(sha(code), {
          clientId: client.client_id,
          redirectUri: params.redirectUri,
          codeChallenge: params.codeChallenge,
          resourceUri: resource.uri,
          scopes: approved,
          grantId,
          expiresAt: Date.now() + 60e3,
          used: false,
          family: randomUUID(),
        });
        redirectWith(out, { code, state: params.state });
      };

      if (grant && requested.every((s) => grant.scopes.has(s))) {
        stats.authorizeImmediate++;
        issueCode(res, requested, grant.id);
        return;
      }

      // Like Tessera: a page that moves on by itself (no JS) to a held /authorize/wait,
      // answered once the person (the approver) decides.
      stats.authorizeHeld++;
      const id = randomBytes(16).toString('hex');
      const decided = new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ action: 'deny' }), decisionTimeoutMs);
        pending.set(id, {
          view: {
            id,
            path: 'browser',
            requester: {
              clientId: client.client_id,
              name: client.client_name ?? '',
              kind: client.kind ?? 'dcr',
              redirectUri: params.redirectUri,
            },
            resource: { uri: resource.uri, name: resource.name },
            scopes: requested.map((name) => {
              const s = resource.scopes.find((x) => x.name === name);
              return { name, description: s.description ?? '', risk: s.risk ?? 'low', alreadyGranted: !!grant?.scopes.has(name) };
            }),
            expiresAtMs: Date.now() + decisionTimeoutMs,
          },
          decide: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
      waits.set(id, async (out) => {
        const decision = await decided;
        pending.delete(id);
        if (decision.action !== 'approve') {
          redirectWith(out, { error: 'access_denied', state: params.state });
          return;
        }
        const approved = decision.scopes?.length ? requested.filter((s) => decision.scopes.includes(s)) : requested;
        const ms = DURATIONS[decision.duration ?? '1h'];
        let grantId;
        if (grant) {
          for (const s of approved) grant.scopes.add(s);
          grant.expiresAt = Math.max(grant.expiresAt, Date.now() + ms);
          grantId = grant.id;
        } else {
          grantId = randomUUID();
          grants.set(grantId, {
            id: grantId,
            clientId: client.client_id,
            clientName: client.client_name ?? '',
            resourceUri: resource.uri,
            scopes: new Set(approved),
            createdAt: Date.now(),
            // A "once" grant must outlive the code exchange and its refresh tokens for the
            // flow at hand; it only stops covering later authorization requests.
            expiresAt: ms === 0 ? Date.now() + 60e3 : Date.now() + ms,
            once: ms === 0,
            state: 'active',
          });
        }
        issueCode(out, approved, grantId);
      });
      const next = `/authorize/wait?request=${id}`;
      res
        .status(200)
        .set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .send(`<!doctype html><meta http-equiv="refresh" content="0;url=${next}"><title>Approve</title>` +
          '<p>Approve this request in the reference authorization server.</p>');
    },

    async challengeForAuthorizationCode(client, code) {
      const c = codes.get(sha(code));
      if (!c || c.clientId !== client.client_id) throw new InvalidGrantError('Unknown authorization code');
      return c.codeChallenge;
    },

    async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resourceUrl) {
      const c = codes.get(sha(code));
      if (!c || c.clientId !== client.client_id) throw new InvalidGrantError('Unknown authorization code');
      if (c.used) {
        // OAuth 2.1 §4.1.2: a replayed code revokes what it issued.
        revokeFamily(c.family);
        throw new InvalidGrantError('Authorization code already used');
      }
      if (c.expiresAt < Date.now()) throw new InvalidGrantError('Authorization code expired');
      if (redirectUri !== undefined && redirectUri !== c.redirectUri) throw new InvalidGrantError('redirect_uri mismatch');
      if (resourceUrl && canonicalResource(resourceUrl.href) !== canonicalResource(c.resourceUri)) {
        throw new InvalidTargetError('resource differs from the authorization request');
      }
      c.used = true;
      const resource = findResource(c.resourceUri);
      return issueTokens({ clientId: client.client_id, resource, scopes: c.scopes, grantId: c.grantId, family: c.family });
    },

    async exchangeRefreshToken(client, refreshToken, scopes, resourceUrl) {
      const rt = refreshTokens.get(sha(refreshToken));
      if (!rt || rt.clientId !== client.client_id) throw new InvalidGrantError('Unknown refresh token');
      const fam = families.get(rt.family);
      if (rt.used) {
        // Reuse of a rotated refresh token revokes the whole family.
        stats.refreshReuse++;
        revokeFamily(rt.family);
        throw new InvalidGrantError('Refresh token already used');
      }
      const grant = grants.get(rt.grantId);
      if (fam.revoked || !grant || grant.state !== 'active') throw new InvalidGrantError('Refresh token revoked');
      if (resourceUrl && canonicalResource(resourceUrl.href) !== canonicalResource(rt.resourceUri)) {
        throw new InvalidTargetError('resource differs from the grant');
      }
      const wanted = scopes?.length ? scopes : rt.scopes;
      if (wanted.some((s) => !rt.scopes.includes(s))) throw new InvalidScopeError('A refresh cannot widen the scope');
      rt.used = true;
      return issueTokens({ clientId: client.client_id, resource: findResource(rt.resourceUri), scopes: wanted, grantId: rt.grantId, family: rt.family });
    },

    async verifyAccessToken(token) {
      const { payload } = await jwtVerify(token, localJwks, { issuer, typ: 'at+jwt', algorithms: ['ES256'] });
      return { token, clientId: payload.client_id, scopes: String(payload.scope).split(' '), expiresAt: payload.exp, resource: new URL(payload.aud) };
    },

    async revokeToken(client, { token }) {
      const rt = refreshTokens.get(sha(token));
      if (rt) {
        if (rt.clientId === client.client_id) revokeFamily(rt.family);
        return;
      }
      try {
        const { payload } = await jwtVerify(token, localJwks, { issuer, typ: 'at+jwt', algorithms: ['ES256'] });
        if (payload.client_id === client.client_id) revokedJtis.add(payload.jti);
      } catch {
        // RFC 7009 §2.2: invalid tokens do not cause an error response.
      }
    },
  };

  const metadata = () => ({
    ...createOAuthMetadata({ provider, issuerUrl: new URL(issuer) }),
    issuer,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
    authorization_response_iss_parameter_supported: true,
    scopes_supported: [...new Set([...resources.values()].flatMap((r) => r.scopes.map((s) => s.name)))],
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/.well-known/oauth-authorization-server', (req, res) => res.json(metadata()));
  app.get('/jwks', (req, res) => res.json({ keys: [key.jwk] }));
  app.get('/authorize/wait', (req, res, next) => {
    const answer = waits.get(String(req.query.request));
    if (!answer) {
      res.status(400).type('text').send('Unknown or finished authorization request\n');
      return;
    }
    waits.delete(String(req.query.request));
    answer(res).catch(next);
  });
  app.post('/introspect', express.urlencoded({ extended: false }), async (req, res) => {
    res.set('cache-control', 'no-store');
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const [user, pass] = m ? Buffer.from(m[1], 'base64').toString('utf8').split(':') : [];
    const caller = [...resources.values()].find((r) => r.name === decodeURIComponent(user ?? ''));
    const ok =
      caller && pass !== undefined &&
      Buffer.byteLength(decodeURIComponent(pass)) === Buffer.byteLength(caller.introspectionSecret) &&
      timingSafeEqual(Buffer.from(decodeURIComponent(pass)), Buffer.from(caller.introspectionSecret));
    if (!ok) {
      res.status(401).set('www-authenticate', 'Basic realm="introspection"').json({ error: 'invalid_client' });
      return;
    }
    const token = req.body?.token;
    if (typeof token !== 'string' || !token) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    try {
      const { payload } = await jwtVerify(token, localJwks, { issuer, typ: 'at+jwt', algorithms: ['ES256'], audience: caller.uri });
      if (!tokenActive(payload)) throw new Error('inactive');
      res.json({ active: true, token_type: 'Bearer', ...payload });
    } catch {
      res.json({ active: false });
    }
  });
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(issuer),
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
    }),
  );

  const server = createServer(app);
  await listen(server, port);

  return {
    kind: 'reference',
    issuer,
    jwksUri: `${issuer}/jwks`,
    stats,

    async addResource({ name, uri, scopes, defaultScopes, tokenLifetime = 300 }) {
      const introspectionSecret = randomBytes(24).toString('base64url');
      resources.set(canonicalResource(uri), { name, uri, scopes, defaultScopes: defaultScopes ?? [scopes[0].name], tokenLifetime, introspectionSecret });
      return { name, introspection: { user: name, password: introspectionSecret } };
    },

    async prm(name) {
      const r = [...resources.values()].find((x) => x.name === name);
      return { resource: r.uri, authorization_servers: [issuer], scopes_supported: r.scopes.map((s) => s.name), bearer_methods_supported: ['header'] };
    },

    async addClient({ name, redirectUris, confidential = false }) {
      const c = {
        client_id: randomBytes(12).toString('base64url'),
        client_name: name,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: confidential ? 'client_secret_post' : 'none',
        kind: 'preregistered',
      };
      if (confidential) c.client_secret = randomBytes(24).toString('base64url');
      clients.set(c.client_id, c);
      return { client_id: c.client_id, client_secret: c.client_secret };
    },

    async listRequests() {
      return [...pending.values()].map((p) => p.view);
    },

    async approve(id, { scopes, duration } = {}) {
      const p = pending.get(id);
      if (!p) throw new Error(`no pending request ${id}`);
      p.decide({ action: 'approve', scopes, duration });
    },

    async deny(id) {
      const p = pending.get(id);
      if (!p) throw new Error(`no pending request ${id}`);
      p.decide({ action: 'deny' });
    },

    async revokeClient(clientId) {
      for (const g of grants.values()) if (g.clientId === clientId) revokeGrant(g);
    },

    async grants() {
      return [...grants.values()].map((g) => ({ ...g, scopes: [...g.scopes] }));
    },

    diagnostics() {
      return `reference AS at ${issuer}: ${JSON.stringify(stats)}`;
    },

    async stop() {
      for (const p of pending.values()) p.decide({ action: 'deny' });
      await closeServer(server);
    },
  };
}
