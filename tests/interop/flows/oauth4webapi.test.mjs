// SPDX-License-Identifier: GPL-3.0-or-later
// A strict RFC client (oauth4webapi) against the authorization server: RFC 9728 resource
// discovery, RFC 8414 discovery with issuer check, RFC 7591 DCR, PKCE S256, RFC 9207 iss
// validation, RFC 8707 resource, RFC 9068 JWT access tokens, refresh rotation with reuse
// detection, code replay, RFC 7009 revocation and RFC 7662 introspection as the resource server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { startApprover } from '../lib/approver.mjs';
import { checkAccessToken, checkAsMetadata, checkAuthorizationResponse, introspect, splitScope } from '../lib/checks.mjs';
import { setupFlow, stepper } from '../lib/fixture.mjs';
import { mcpPost } from '../lib/http.mjs';

test('oauth4webapi (strict RFC client): authorization code, refresh, revocation, introspection', { timeout: 120000 }, async (t) => {
  const env = await setupFlow('oauth4webapi');
  t.after(() => env.close());
  const step = stepper(t, env);
  const opts = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: env.trace.fetch };
  let as;
  let client;
  const clientAuth = oauth.None();
  env.approver = startApprover(env.as, {
    decide: (req) => (client && req.requester?.clientId === client.client_id ? { action: 'approve' } : null),
  });

  /** One authorization code flow in the browser; returns the processed token response. */
  const authorize = async (scope) => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: env.callback.url,
      scope,
      state,
      resource: env.mcp.resource,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    await env.browser.authorize(url.href, env.callback.url);
    const params = await env.callback.next();
    checkAuthorizationResponse(env, params, { state });
    // RFC 9207: oauth4webapi requires and checks iss because the metadata advertises it.
    const validated = oauth.validateAuthResponse(as, client, params, state);
    const res = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, validated, env.callback.url, verifier, {
      ...opts,
      additionalParameters: { resource: env.mcp.resource },
    });
    assert.match(res.headers.get('cache-control') ?? '', /no-store/, 'token response Cache-Control: no-store');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res);
    return { tokens, validated, verifier };
  };

  const refresh = async (rt) => {
    const res = await oauth.refreshTokenGrantRequest(as, client, clientAuth, rt, {
      ...opts,
      additionalParameters: { resource: env.mcp.resource },
    });
    return oauth.processRefreshTokenResponse(as, client, res);
  };

  const isInvalidGrant = (e) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant';

  await step('RFC 9728 resource discovery and RFC 8414 discovery with issuer check', async () => {
    const prmRes = await oauth.resourceDiscoveryRequest(new URL(env.mcp.resource), opts);
    const prm = await oauth.processResourceDiscoveryResponse(new URL(env.mcp.resource), prmRes);
    assert.deepEqual(prm.authorization_servers, [env.as.issuer]);
    const issuer = new URL(prm.authorization_servers[0]);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oauth2' }));
    checkAsMetadata(env, as);
    // The PRM the AS generates for the resource (`tessera-cli resource prm`) agrees with what
    // the MCP server serves.
    const generated = await env.as.prm(env.resourceName);
    assert.equal(generated.resource, prm.resource, 'generated PRM resource');
    assert.deepEqual(generated.authorization_servers, prm.authorization_servers, 'generated PRM authorization_servers');
    for (const s of ['files:read', 'files:write']) assert.ok(generated.scopes_supported?.includes(s), `generated PRM scopes_supported has ${s}`);
  });

  await step('RFC 7591 dynamic client registration (native public client)', async () => {
    const res = await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: 'Interop oauth4webapi client',
        redirect_uris: [env.callback.url],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      },
      opts,
    );
    assert.equal(res.status, 201);
    client = await oauth.processDynamicClientRegistrationResponse(res);
    assert.deepEqual(client.redirect_uris, [env.callback.url], 'redirect_uris echoed');
    assert.equal(client.token_endpoint_auth_method, 'none', 'token_endpoint_auth_method echoed');
    assert.equal(client.client_secret, undefined, 'no secret for a public client');
    assert.match(client.client_id, /^[A-Za-z0-9\-._~]+$/);
  });

  let first;
  await step('authorization code + PKCE + resource; iss validated; RFC 9068 access token', async () => {
    first = await authorize('files:read');
    const d = (await env.approver.waitForDecision(0)).request;
    assert.equal(d.requester.clientId, client.client_id);
    assert.equal(d.requester.redirectUri, env.callback.url);
    assert.equal(d.resource.uri, env.mcp.resource);
    const tk = first.tokens;
    assert.equal(tk.token_type, 'bearer', 'oauth4webapi lower-cases token_type');
    assert.equal(splitScope(tk.scope).join(' '), 'files:read');
    assert.ok(Number.isInteger(tk.expires_in) && tk.expires_in > 0, 'expires_in');
    assert.ok(tk.refresh_token, 'refresh token issued');
    const claims = await checkAccessToken(env, tk.access_token, { scope: 'files:read', clientId: client.client_id });
    assert.equal(claims.exp - claims.iat, tk.expires_in, 'expires_in matches the token lifetime');
    // Validate as a resource server would, with oauth4webapi's RFC 9068 validator.
    const req = new Request(env.mcp.url, { headers: { authorization: `Bearer ${tk.access_token}` } });
    const rs = await oauth.validateJwtAccessToken(as, req, env.mcp.resource, opts);
    assert.equal(rs.client_id, client.client_id);
    // And the sample MCP server accepts it.
    const call = await mcpPost(env.mcp.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: 'hello.txt' } } }, { token: tk.access_token });
    assert.equal(call.status, 200, call.body);
  });

  await step('a request covered by the active grant is answered at once (no new consent request)', async () => {
    const decided = env.approver.decisions.length;
    const second = await authorize('files:read');
    assert.equal(env.approver.decisions.length, decided, 'no consent request for an already granted scope');
    assert.equal(splitScope(second.tokens.scope).join(' '), 'files:read');
    await checkAccessToken(env, second.tokens.access_token, { scope: 'files:read', clientId: client.client_id });
  });

  await step('code replay → invalid_grant and the tokens it issued are revoked', async () => {
    const res = await oauth.authorizationCodeGrantRequest(
      as, client, clientAuth, first.validated, env.callback.url, first.verifier,
      { ...opts, additionalParameters: { resource: env.mcp.resource } },
    );
    await assert.rejects(oauth.processAuthorizationCodeResponse(as, client, res), isInvalidGrant);
    await assert.rejects(refresh(first.tokens.refresh_token), isInvalidGrant, 'refresh token from a replayed code must be revoked');
    // Tessera goes further and revokes the whole grant (observed); either is allowed.
    const grants = (await env.as.grants()).filter((g) => g.clientId === client.client_id);
    env.notes.push(`grants after code replay: ${JSON.stringify(grants.map((g) => g.state))}`);
  });

  let rotation;
  await step('refresh rotation: a new pair; an immediate retry with the old token never forks the family', async () => {
    // A new authorization: the replay may have revoked the grant (it needs consent again then).
    const old = (await authorize('files:read')).tokens;
    const next = await refresh(old.refresh_token);
    assert.ok(next.refresh_token, 'a new refresh token');
    assert.notEqual(next.refresh_token, old.refresh_token, 'rotated');
    assert.notEqual(next.access_token, old.access_token);
    assert.equal(splitScope(next.scope).join(' '), 'files:read', 'same scope');
    await checkAccessToken(env, next.access_token, { scope: 'files:read', clientId: client.client_id });
    // A client retrying a refresh whose answer it lost (security-cases F1/F2): the AS may
    // reject it, or answer the same pair again; it must never mint a second live family.
    let retry;
    try {
      retry = await refresh(old.refresh_token);
    } catch (e) {
      if (!isInvalidGrant(e)) throw e;
    }
    if (retry) {
      assert.equal(retry.refresh_token, next.refresh_token, 'a retried refresh answers the same refresh token');
      assert.equal(retry.access_token, next.access_token, 'a retried refresh answers the same access token');
      env.notes.push('an immediate retry of a rotated refresh token got the same answer again (idempotent retry window)');
    }
    rotation = { old, next, retried: !!retry };
  });

  await step('reuse of a rotated refresh token after its successor was used → invalid_grant and the family is revoked', async () => {
    const { old, next, retried } = rotation;
    if (!retried) {
      // The AS rejected the immediate retry as a reuse: the family must be gone already.
      await assert.rejects(refresh(next.refresh_token), isInvalidGrant, 'reuse detection revoked the family');
      return;
    }
    const third = await refresh(next.refresh_token);
    assert.notEqual(third.refresh_token, next.refresh_token, 'rotated again');
    // RT1 is two generations old and its successor has been used: a retry window, if any,
    // must be over ("one retry with the previous token until the new one is used").
    await assert.rejects(refresh(old.refresh_token), isInvalidGrant, 'the rotated refresh token is rejected once its successor was used');
    await assert.rejects(refresh(third.refresh_token), isInvalidGrant, 'reuse detection revoked the family');
  });

  await step.independent('RFC 7662 introspection and RFC 7009 revocation', async () => {
    const { tokens } = await authorize('files:read');
    const claims = await checkAccessToken(env, tokens.access_token);
    const ok = await introspect(env, as, tokens.access_token);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.active, true);
    for (const k of ['iss', 'aud', 'client_id', 'scope', 'exp', 'sub']) {
      assert.deepEqual(ok.json[k], claims[k], `introspection ${k} matches the JWT`);
    }
    // Also through oauth4webapi's RFC 7662 client, as the resource "client".
    const rsClient = { client_id: env.resource.introspection.user };
    const ires = await oauth.introspectionRequest(as, rsClient, oauth.ClientSecretBasic(env.resource.introspection.password), tokens.access_token, opts);
    const viaLib = await oauth.processIntrospectionResponse(as, rsClient, ires);
    assert.equal(viaLib.active, true);
    assert.equal(viaLib.client_id, client.client_id);

    const anon = await introspect(env, as, tokens.access_token, { auth: false });
    assert.equal(anon.status, 401, 'introspection requires the resource server to authenticate');
    assert.notEqual(anon.json?.active, true);
    const unknown = await introspect(env, as, 'not-a-token');
    assert.deepEqual(unknown.json, { active: false });

    // RFC 7009 revocation of the refresh token, then refresh fails.
    const rev = await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, {
      ...opts,
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(rev);
    const again = await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, opts);
    await oauth.processRevocationResponse(again); // RFC 7009 §2.2: 200 for an invalid token too
    const bogus = await oauth.revocationRequest(as, client, clientAuth, 'no-such-token', opts);
    await oauth.processRevocationResponse(bogus);
    await assert.rejects(refresh(tokens.refresh_token), isInvalidGrant, 'a revoked refresh token is rejected');
  });
});
