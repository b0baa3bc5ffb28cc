// SPDX-License-Identifier: GPL-3.0-or-later
// A streaming client: every request body goes out with Transfer-Encoding: chunked (node:http
// request().write() in pieces, no Content-Length), as Node, Java input-stream publishers, Go
// io.Reader bodies and Python generator bodies send it (issue 10 item 1, RFC 9112 §7). The
// strict RFC client oauth4webapi runs over that transport: registration, code redemption,
// refresh, introspection, revocation. Then curl -T - (chunked from stdin) and the body cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { startApprover } from '../lib/approver.mjs';
import { chunkedFetch, chunkedFlood, curlChunked } from '../lib/chunked.mjs';
import { checkAccessToken, checkAsMetadata, checkAuthorizationResponse, splitScope } from '../lib/checks.mjs';
import { setupFlow, stepper } from '../lib/fixture.mjs';

test('chunked request bodies: registration, code, refresh, introspection, revocation, curl -T -', { timeout: 120000 }, async (t) => {
  const env = await setupFlow('chunked');
  t.after(() => env.close());
  const step = stepper(t, env);
  const wire = [];
  const opts = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: env.trace.wrap(chunkedFetch(wire)) };
  const clientAuth = oauth.None();
  let as;
  let client;
  env.approver = startApprover(env.as, {
    decide: (req) => (client && req.requester?.clientId === client.client_id ? { action: 'approve' } : null),
  });
  const report = env.report;
  env.report = () => `${report()}\n--- what went on the wire ---\n${wire.map((w) => JSON.stringify(w)).join('\n')}`;

  /** The requests with a body since `mark` all went out chunked, in pieces, without Content-Length. */
  const assertChunked = (mark, paths) => {
    const sent = wire.slice(mark).filter((w) => w.pieces !== undefined);
    assert.deepEqual(sent.map((w) => w.path), paths, 'the requests with a body');
    for (const w of sent) {
      assert.equal(w.chunked, true, `${w.method} ${w.path} was sent with Transfer-Encoding: chunked`);
      assert.equal(w.contentLength, false, `${w.method} ${w.path} had no Content-Length`);
      assert.ok(w.pieces > 1, `${w.method} ${w.path} went out in several chunks`);
    }
  };
  const refresh = async (rt) => {
    const res = await oauth.refreshTokenGrantRequest(as, client, clientAuth, rt, {
      ...opts,
      additionalParameters: { resource: env.mcp.resource },
    });
    return oauth.processRefreshTokenResponse(as, client, res);
  };
  const isInvalidGrant = (e) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant';

  await step('RFC 8414 discovery over the same transport', async () => {
    const issuer = new URL(env.as.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oauth2' }));
    checkAsMetadata(env, as);
  });

  await step('RFC 7591 registration with a chunked JSON body', async () => {
    const mark = wire.length;
    const res = await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: 'Interop chunked client',
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
    assert.equal(client.client_name, 'Interop chunked client', 'the decoded JSON body reached the handler');
    assert.deepEqual(client.redirect_uris, [env.callback.url]);
    assertChunked(mark, ['/register']);
  });

  let tokens;
  await step('code redemption with a chunked form body (PKCE, resource)', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: env.callback.url,
      scope: 'files:read',
      state,
      resource: env.mcp.resource,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    await env.browser.authorize(url.href, env.callback.url);
    const params = await env.callback.next();
    checkAuthorizationResponse(env, params, { state });
    const validated = oauth.validateAuthResponse(as, client, params, state);
    const mark = wire.length;
    const res = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, validated, env.callback.url, verifier, {
      ...opts,
      additionalParameters: { resource: env.mcp.resource },
    });
    tokens = await oauth.processAuthorizationCodeResponse(as, client, res);
    assert.equal(splitScope(tokens.scope).join(' '), 'files:read');
    assert.ok(tokens.refresh_token, 'refresh token issued');
    await checkAccessToken(env, tokens.access_token, { scope: 'files:read', clientId: client.client_id });
    assertChunked(mark, ['/token']);
  });

  await step('refresh with a chunked form body rotates the refresh token', async () => {
    const mark = wire.length;
    const next = await refresh(tokens.refresh_token);
    assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token, 'rotated');
    await checkAccessToken(env, next.access_token, { scope: 'files:read', clientId: client.client_id });
    assertChunked(mark, ['/token']);
    tokens = next;
  });

  await step('RFC 7662 introspection with a chunked form body (resource server, Basic)', async () => {
    const mark = wire.length;
    const rsClient = { client_id: env.resource.introspection.user };
    const res = await oauth.introspectionRequest(as, rsClient, oauth.ClientSecretBasic(env.resource.introspection.password), tokens.access_token, opts);
    const info = await oauth.processIntrospectionResponse(as, rsClient, res);
    assert.equal(info.active, true);
    assert.equal(info.client_id, client.client_id);
    assertChunked(mark, ['/introspect']);
  });

  await step('RFC 7009 revocation with a chunked form body; the revoked refresh token is dead', async () => {
    const mark = wire.length;
    const rev = await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token, {
      ...opts,
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(rev);
    await assert.rejects(refresh(tokens.refresh_token), isInvalidGrant, 'a revoked refresh token is rejected');
    assertChunked(mark, ['/revoke', '/token']);
  });

  await step.independent('curl -T - (chunked from stdin): registration and a token request', async () => {
    const reg = await curlChunked(`${env.as.issuer}/register`, {
      contentType: 'application/json',
      input: JSON.stringify({ client_name: 'curl chunked', redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' }),
    });
    assert.equal(reg.status, 201, reg.body);
    assert.equal(reg.json?.client_name, 'curl chunked');
    // The form was decoded: a bogus code is invalid_grant, not a framing or invalid_request error.
    const tok = await curlChunked(`${env.as.issuer}/token`, {
      contentType: 'application/x-www-form-urlencoded',
      input: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        redirect_uri: 'http://127.0.0.1:9/cb',
        client_id: reg.json.client_id,
        code_verifier: 'v'.repeat(43),
      }).toString(),
    });
    assert.equal(tok.status, 400, tok.body);
    assert.equal(tok.json?.error, 'invalid_grant', tok.body);
  });

  await step.independent('a chunked body past the cap gets 413 while it is still streaming', async () => {
    const total = 8 * 1024 * 1024;
    const res = await chunkedFlood(`${env.as.issuer}/register`, { total });
    assert.equal(res.status, 413);
    // Tessera decides on the chunk sizes as they arrive (the reference AS reads on until its limit).
    if (env.as.kind === 'tessera') assert.ok(res.sent < total, `the answer came before the upload ended (${res.sent} bytes written)`);
    env.notes.push(`413 after ${res.sent} bytes written`);
  });
});
