// SPDX-License-Identifier: GPL-3.0-or-later
// openid-client (npm, pinned), the most used OAuth/OIDC client for Node, against Tessera, to
// prove the README's "Notes for client authors" (issue 10 item 7): its default discovery asks
// for the OpenID document and gets a 404 (Tessera is no OpenID provider); the README's
// `algorithm: 'oauth2'` snippet, read from README.md and run as it stands, works; then a full
// flow with it (RFC 7591 DCR, PKCE S256, RFC 8707 resource, RFC 9207 iss, refresh, RFC 7009
// revocation, RFC 7662 introspection as the resource server); and what a client that takes its
// scopes from the AS metadata's scopes_supported (the union over every resource) gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as client from 'openid-client';
import { startApprover } from '../lib/approver.mjs';
import { checkAccessToken, checkAsMetadata, checkAuthorizationResponse, splitScope } from '../lib/checks.mjs';
import { asKind, setupFlow, stepper } from '../lib/fixture.mjs';
import { freePort } from '../lib/net.mjs';

const README = new URL('../../../README.md', import.meta.url);
/** The issuer the README's snippet names (Tessera's default port); the test's Tessera has its own. */
const README_ISSUER = "'http://127.0.0.1:7391'";

/** The ```js block of the README's "Notes for client authors" section, dedented. */
async function readmeSnippet() {
  const text = await readFile(README, 'utf8');
  const at = text.indexOf('Notes for client authors');
  assert.ok(at >= 0, 'README.md has "Notes for client authors"');
  const m = /^( *)```js\n([\s\S]*?)^ *```$/m.exec(text.slice(at));
  assert.ok(m, 'a ```js block under "Notes for client authors"');
  const indent = m[1].length;
  return m[2].split('\n').map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n').trim();
}

test('openid-client: OpenID discovery 404, the README snippet, DCR, code + PKCE + resource + iss, refresh, revocation, introspection, AS-wide scopes', { timeout: 60000, skip: asKind() !== 'tessera' && 'Tessera only: the README describes Tessera' }, async (t) => {
  const env = await setupFlow('openidclient');
  t.after(() => env.close());
  const step = stepper(t, env);
  const issuer = new URL(env.as.issuer);
  let config; // the Configuration the README's snippet made
  let clientId;
  env.approver = startApprover(env.as, {
    decide: (req) => (clientId && req.requester?.clientId === clientId ? { action: 'approve' } : null),
  });

  /** One authorization in headless Chromium; returns the URL the browser was sent back to. */
  const authorize = async (params) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: env.callback.url,
      resource: env.mcp.resource,
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...params,
    });
    await env.browser.authorize(url.href, env.callback.url);
    const got = await env.callback.next();
    const back = new URL(env.callback.url);
    back.search = got.toString();
    return { back, got, state, verifier };
  };
  const grant = ({ back, state, verifier }) =>
    client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state }, { resource: env.mcp.resource });
  const refresh = (rt) => client.refreshTokenGrant(config, rt, { resource: env.mcp.resource });
  const isInvalidGrant = (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant';

  await step('a second resource with other scopes, so that the AS-wide scopes_supported is a union', async () => {
    env.mail = await env.as.addResource({
      name: `mail-${env.resourceName.slice(6)}`,
      uri: `http://127.0.0.1:${await freePort()}/mcp`,
      scopes: [{ name: 'mail:read', description: 'Read mail' }, { name: 'mail:send', description: 'Send mail', risk: 'high' }],
      defaultScopes: ['mail:read'],
      displayName: 'Interop mail',
    });
  });

  await step("default discovery() (OpenID Connect Discovery) → 404 for /.well-known/openid-configuration", async () => {
    // Only allowInsecureRequests (plain HTTP on loopback) and the trace; algorithm left at its
    // default, 'oidc'.
    const options = { execute: [client.allowInsecureRequests], [client.customFetch]: env.trace.fetch };
    const err = await client.discovery(issuer, 'any-client', undefined, client.None(), options).then(
      () => assert.fail('discovery() without algorithm must fail against Tessera'),
      (e) => e,
    );
    assert.ok(err instanceof client.ClientError, `a ClientError, not ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.message, 'unexpected HTTP response status code');
    assert.equal(err.code, 'OAUTH_RESPONSE_IS_NOT_CONFORM');
    assert.ok(err.cause instanceof Response, 'the cause is the HTTP response');
    assert.equal(err.cause.status, 404);
    assert.equal(err.cause.url, `${env.as.issuer}/.well-known/openid-configuration`);
  });

  await step('RFC 7591 dynamicClientRegistration() (native public client), RFC 8414 discovery', async () => {
    const registered = await client.dynamicClientRegistration(
      issuer,
      {
        client_name: 'Interop openid-client',
        redirect_uris: [env.callback.url],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      },
      client.None(),
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests], [client.customFetch]: env.trace.fetch },
    );
    const m = registered.clientMetadata();
    assert.match(m.client_id, /^[A-Za-z0-9\-._~]+$/);
    assert.deepEqual(m.redirect_uris, [env.callback.url], 'redirect_uris echoed');
    assert.equal(m.token_endpoint_auth_method, 'none');
    assert.equal(m.client_secret, undefined, 'no secret for a public client');
    checkAsMetadata(env, registered.serverMetadata());
    clientId = m.client_id;
  });

  await step("the README's snippet, read from README.md, run as it stands (only the port differs)", async () => {
    const snippet = await readmeSnippet();
    assert.match(snippet, /algorithm: 'oauth2'/, 'the snippet chooses RFC 8414 discovery');
    assert.equal(snippet.split(README_ISSUER).length, 2, `the snippet names the issuer ${README_ISSUER} once`);
    const code = snippet.replace(README_ISSUER, JSON.stringify(env.as.issuer));
    const AsyncFunction = (async () => {}).constructor;
    config = await new AsyncFunction('client', 'clientId', `${code}\nreturn config;`)(client, clientId);
    assert.ok(config instanceof client.Configuration, 'the snippet makes a Configuration');
    assert.equal(config.clientMetadata().client_id, clientId);
    checkAsMetadata(env, config.serverMetadata());
    assert.equal(config.serverMetadata().supportsPKCE('S256'), true);
    config[client.customFetch] = env.trace.fetch; // the rest of the flow goes into the trace
  });

  await step('scopes_supported (the AS-wide union) asked for one resource → invalid_scope naming a scope it lacks', async () => {
    const union = config.serverMetadata().scopes_supported;
    const own = (await env.as.prm(env.resourceName)).scopes_supported;
    const lacking = union.filter((s) => !own.includes(s));
    for (const s of ['files:read', 'files:write', 'mail:read', 'mail:send']) assert.ok(union.includes(s), `scopes_supported has ${s}`);
    assert.ok(lacking.includes('mail:read') && lacking.includes('mail:send'), `the union is larger than the resource's ${JSON.stringify(own)}`);
    const decided = env.approver.decisions.length;
    const a = await authorize({ scope: union.join(' ') });
    checkAuthorizationResponse(env, a.got, { state: a.state, expectError: 'invalid_scope' });
    // openid-client checks iss (RFC 9207) and state first, then reports the error response.
    const err = await grant(a).then(() => assert.fail('an authorization error must not yield tokens'), (e) => e);
    assert.ok(err instanceof client.AuthorizationResponseError, `an AuthorizationResponseError, not ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.error, 'invalid_scope');
    const named = lacking.filter((s) => err.error_description?.includes(`"${s}"`));
    assert.equal(named.length, 1, `error_description names one scope the resource lacks: ${err.error_description}`);
    assert.equal(env.approver.decisions.length, decided, 'nobody was asked');
  });

  await step("no scope → the resource's default scopes (consent asked for files:read only)", async () => {
    const a = await authorize({});
    checkAuthorizationResponse(env, a.got, { state: a.state });
    const tokens = await grant(a);
    const d = (await env.approver.waitForDecision(0)).request;
    assert.equal(d.requester.clientId, clientId);
    assert.equal(d.resource.uri, env.mcp.resource);
    assert.deepEqual(d.scopes.map((s) => s.name), ['files:read'], 'the default scope only');
    assert.equal(splitScope(tokens.scope).join(' '), 'files:read');
    await checkAccessToken(env, tokens.access_token, { scope: 'files:read', clientId });
  });

  let tokens;
  await step('authorization code + PKCE S256 + resource; RFC 9207 iss checked by authorizationCodeGrant()', async () => {
    const a = await authorize({ scope: 'files:read files:write' });
    checkAuthorizationResponse(env, a.got, { state: a.state });
    const d = (await env.approver.waitForDecision(1)).request;
    const byName = Object.fromEntries(d.scopes.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['files:read', 'files:write']);
    assert.equal(byName['files:read'].alreadyGranted, true);
    assert.equal(byName['files:write'].alreadyGranted, false);
    // RFC 9207 §2.4: a response with a foreign or missing iss is refused before the code is
    // spent (the metadata says authorization_response_iss_parameter_supported).
    const forged = new URL(a.back);
    forged.searchParams.set('iss', 'http://127.0.0.1:1');
    const isIssError = (re) => (e) => e instanceof client.ClientError && e.code === 'OAUTH_INVALID_RESPONSE' && re.test(e.cause?.message);
    await assert.rejects(grant({ ...a, back: forged }), isIssError(/unexpected "iss" \(issuer\) response parameter value/), 'a foreign iss is refused');
    const missing = new URL(a.back);
    missing.searchParams.delete('iss');
    await assert.rejects(grant({ ...a, back: missing }), isIssError(/response parameter "iss" \(issuer\) missing/), 'a missing iss is refused');
    tokens = await grant(a);
    assert.equal(tokens.token_type, 'bearer', 'openid-client lower-cases token_type');
    assert.deepEqual(splitScope(tokens.scope), ['files:read', 'files:write']);
    assert.ok(tokens.refresh_token, 'a refresh token');
    assert.equal(tokens.id_token, undefined, 'no ID token: Tessera is no OpenID provider');
    const claims = await checkAccessToken(env, tokens.access_token, { scope: 'files:read files:write', clientId });
    assert.equal(claims.exp - claims.iat, tokens.expires_in, 'expires_in matches the token lifetime');
    // The sample MCP server accepts it, through openid-client's fetchProtectedResource().
    const res = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(env.mcp.url),
      'POST',
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: 'hello.txt' } } }),
      new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' }),
    );
    assert.equal(res.status, 200, await res.clone().text());
  });

  let next;
  await step('refreshTokenGrant() with resource: a rotated pair, same scope', async () => {
    next = await refresh(tokens.refresh_token);
    assert.ok(next.refresh_token);
    assert.notEqual(next.refresh_token, tokens.refresh_token, 'rotated');
    assert.notEqual(next.access_token, tokens.access_token);
    assert.deepEqual(splitScope(next.scope), ['files:read', 'files:write']);
    await checkAccessToken(env, next.access_token, { scope: 'files:read files:write', clientId });
  });

  await step('tokenIntrospection(): the client may not (401 Basic); the resource server may (RFC 7662)', async () => {
    const err = await client.tokenIntrospection(config, next.access_token).then(() => assert.fail('a public client must not introspect'), (e) => e);
    assert.ok(err instanceof client.WWWAuthenticateChallengeError, `a WWWAuthenticateChallengeError, not ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 401);
    assert.deepEqual(err.cause.map((c) => c.scheme), ['basic']);
    // As the resource server: its name and introspection secret, HTTP Basic.
    const { user, password } = env.resource.introspection;
    const rs = new client.Configuration(config.serverMetadata(), user, undefined, client.ClientSecretBasic(password));
    client.allowInsecureRequests(rs);
    rs[client.customFetch] = env.trace.fetch;
    const claims = await checkAccessToken(env, next.access_token);
    const info = await client.tokenIntrospection(rs, next.access_token);
    assert.equal(info.active, true);
    for (const k of ['iss', 'aud', 'client_id', 'scope', 'exp', 'sub']) assert.deepEqual(info[k], claims[k], `introspection ${k} matches the JWT`);
    assert.deepEqual(await client.tokenIntrospection(rs, 'not-a-token'), { active: false });
  });

  await step('tokenRevocation() (RFC 7009) of the refresh token, then refresh → invalid_grant', async () => {
    await client.tokenRevocation(config, next.refresh_token, { token_type_hint: 'refresh_token' });
    await client.tokenRevocation(config, next.refresh_token); // §2.2: 200 for an invalid token too
    await assert.rejects(refresh(next.refresh_token), isInvalidGrant, 'a revoked refresh token is rejected');
  });
});
