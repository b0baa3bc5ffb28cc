// SPDX-License-Identifier: GPL-3.0-or-later
// Product flow 1 with the MCP TypeScript SDK 1.x client (@modelcontextprotocol/sdk):
// 401 → RFC 9728 discovery → RFC 8414 metadata → DCR → authorization in headless Chromium,
// approved by the approver → code exchange with PKCE and resource → tool call → expiry and
// refresh → step-up on 403 insufficient_scope → revocation → refresh fails (invalid_grant).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  auth,
  discoverAuthorizationServerMetadata,
  refreshAuthorization,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { InvalidGrantError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { startApprover } from '../lib/approver.mjs';
import { checkAccessToken, checkAsMetadata, checkAuthorizationResponse, introspect, mcpAndTokenSummary, sleepUntilExpired, splitScope } from '../lib/checks.mjs';
import { setupFlow, stepper } from '../lib/fixture.mjs';
import { InteropOAuthProvider } from '../lib/oauth-provider.mjs';

test('MCP TypeScript SDK 1.x client: full authorization flow', { timeout: 120000 }, async (t) => {
  const env = await setupFlow('sdk1');
  t.after(() => env.close());
  const step = stepper(t, env);
  const provider = new InteropOAuthProvider({ env, clientName: 'Interop SDK 1.x client' });
  env.approver = startApprover(env.as, {
    decide: (req) => (req.requester?.clientId && req.requester.clientId === provider.clientId ? { action: 'approve' } : null),
  });
  const serverUrl = new URL(env.mcp.url);
  let client;
  let metadata;

  const connect = async () => {
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: env.trace.fetch });
    const c = new Client({ name: 'tessera-interop-sdk1', version: '1.0.0' });
    await c.connect(transport);
    return { c, transport };
  };

  await step('401 → discovery → DCR → browser authorization → code exchange', async () => {
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: env.trace.fetch });
    const first = new Client({ name: 'tessera-interop-sdk1', version: '1.0.0' });
    await assert.rejects(first.connect(transport), (e) => e instanceof UnauthorizedError, 'connect must stop for the browser step');

    const s = env.trace.summary();
    assert.equal(s[0], 'POST /mcp 401');
    assert.ok(s.includes('GET /.well-known/oauth-protected-resource/mcp 200'), 'PRM fetched');
    assert.ok(s.includes('GET /.well-known/oauth-authorization-server 200'), 'AS metadata fetched');
    const reg = env.trace.find('/register', { method: 'POST' });
    assert.equal(reg.length, 1, 'one DCR request');
    assert.equal(reg[0].status, 201, `DCR answered ${reg[0].status}: ${JSON.stringify(reg[0].response)}`);
    assert.deepEqual(reg[0].response.redirect_uris, [env.callback.url], 'DCR response echoes redirect_uris');
    assert.ok(reg[0].response.client_id, 'client_id issued');
    assert.match(reg[0].response.client_id, /^[A-Za-z0-9\-._~]+$/, 'client_id from the URL-unreserved alphabet');

    metadata = env.trace.find('/.well-known/oauth-authorization-server')[0].response;
    checkAsMetadata(env, metadata);

    const a = provider.authorizations[0];
    assert.equal(a.endpoint, metadata.authorization_endpoint);
    assert.equal(a.client_id, provider.clientId);
    assert.equal(a.scope, 'files:read', 'scope taken from the 401 challenge');
    assert.equal(a.resource, env.mcp.resource, 'RFC 8707 resource = PRM resource, verbatim');
    assert.equal(a.code_challenge_method, 'S256');
    assert.equal(a.redirect_uri, env.callback.url);

    const params = await provider.completeAuthorization();
    checkAuthorizationResponse(env, params, { state: provider.states.at(-1) });

    const d = (await env.approver.waitForDecision(0)).request;
    assert.equal(d.requester.clientId, provider.clientId);
    assert.equal(d.resource.uri, env.mcp.resource);
    assert.deepEqual(d.scopes.map((x) => x.name), ['files:read']);

    await transport.finishAuth(params.get('code'));
    const tok = env.trace.find('/token', { grantType: 'authorization_code' });
    assert.equal(tok.length, 1);
    assert.equal(tok[0].status, 200, JSON.stringify(tok[0].response));
    assert.equal(tok[0].request.resource, env.mcp.resource, 'resource sent on the code exchange');
    assert.equal(tok[0].request.redirect_uri, env.callback.url);
    assert.equal(tok[0].request.client_id, provider.clientId);
    const body = tok[0].response;
    assert.equal(String(body.token_type).toLowerCase(), 'bearer');
    assert.equal(Number.isInteger(body.expires_in), true, 'expires_in is an integer');
    assert.equal(splitScope(body.scope).join(' '), 'files:read', 'scope returned in the token response');
    assert.ok(provider.tokens().refresh_token, 'a refresh token is issued');
    await checkAccessToken(env, provider.tokens().access_token, { scope: 'files:read', clientId: provider.clientId });
  });

  await step('tool call with the access token', async () => {
    ({ c: client } = await connect());
    const r = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.equal(r.content[0].text, 'Hello from the sample MCP server');
    assert.equal(env.mcp.stats.lastClaims.client_id, provider.clientId);
  });

  await step('expired access token → 401 invalid_token → refresh → retried call succeeds', async () => {
    const before = provider.tokens();
    const claims = await checkAccessToken(env, before.access_token);
    await sleepUntilExpired(claims.exp);
    const mark = env.trace.mark();
    const r = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.equal(r.content[0].text, 'Hello from the sample MCP server');
    const since = env.trace.since(mark);
    assert.deepEqual(mcpAndTokenSummary(env.trace, since), ['POST /mcp 401', 'POST /token 200 refresh_token', 'POST /mcp 200']);
    const denied = since.find((e) => e.path === '/mcp' && e.status === 401);
    assert.match(denied.wwwAuthenticate, /error="invalid_token"/);
    const refresh = since.find((e) => e.request?.grant_type === 'refresh_token');
    assert.equal(refresh.request.resource, env.mcp.resource, 'resource sent on refresh');
    const after = provider.tokens();
    assert.notEqual(after.access_token, before.access_token, 'a new access token');
    assert.notEqual(after.refresh_token, before.refresh_token, 'refresh token rotated');
    await checkAccessToken(env, after.access_token, { scope: 'files:read', clientId: provider.clientId });
  });

  await step('step-up on 403 insufficient_scope (SDK 1.x refreshes, then gives up)', async () => {
    const mark = env.trace.mark();
    const authorizationsBefore = provider.authorizations.length;
    // mcp-authorization.md §5: 1.x replaces its scope with the challenge, calls auth(), which
    // refreshes (a refresh cannot widen the scope), and on the identical challenge gives up.
    await assert.rejects(
      client.callTool({ name: 'write_file', arguments: { path: 'notes.txt', content: 'step-up' } }),
      /Server returned 403 after trying upscoping/,
    );
    const since = env.trace.since(mark);
    assert.deepEqual(mcpAndTokenSummary(env.trace, since), ['POST /mcp 403', 'POST /token 200 refresh_token', 'POST /mcp 403']);
    const challenge = since.find((e) => e.status === 403).wwwAuthenticate;
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="files:read files:write"/);
    assert.equal(provider.authorizations.length, authorizationsBefore, 'SDK 1.x does not open the browser for step-up');
    assert.deepEqual(splitScope(provider.tokens().scope), ['files:read'], 'the refresh kept the old scope');
    env.notes.push('SDK 1.x step-up: 403 → refresh (same scope) → 403 → "Server returned 403 after trying upscoping"');
  });

  await step('step-up by a fresh authorization for the challenged scopes (what a 1.x host app does)', async () => {
    provider.invalidateCredentials('tokens');
    const opts = { serverUrl, resourceMetadataUrl: new URL(env.mcp.prmUrl), scope: 'files:read files:write', fetchFn: env.trace.fetch };
    assert.equal(await auth(provider, opts), 'REDIRECT');
    const a = provider.authorizations.at(-1);
    assert.equal(a.scope, 'files:read files:write');
    assert.equal(a.resource, env.mcp.resource);
    const params = await provider.completeAuthorization();
    checkAuthorizationResponse(env, params, { state: provider.states.at(-1) });
    const d = (await env.approver.waitForDecision(1)).request;
    const byName = Object.fromEntries(d.scopes.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['files:read', 'files:write']);
    assert.equal(byName['files:read'].alreadyGranted, true, 'files:read shown as already granted');
    assert.equal(byName['files:write'].alreadyGranted, false, 'files:write shown as new');
    assert.equal(byName['files:write'].risk, 'high');
    assert.equal(await auth(provider, { ...opts, authorizationCode: params.get('code') }), 'AUTHORIZED');
    await checkAccessToken(env, provider.tokens().access_token, { scope: 'files:read files:write', clientId: provider.clientId });
    const r = await client.callTool({ name: 'write_file', arguments: { path: 'notes.txt', content: 'step-up' } });
    assert.match(r.content[0].text, /Wrote 7 characters/);
    assert.equal(env.mcp.files.get('notes.txt'), 'step-up');
  });

  await step('revocation (administrative) → refresh fails with invalid_grant, introspection inactive', async () => {
    metadata ??= await discoverAuthorizationServerMetadata(env.as.issuer);
    const live = provider.tokens();
    const active = await introspect(env, metadata, live.access_token);
    assert.equal(active.status, 200);
    assert.equal(active.json.active, true, 'introspection: active before revocation');
    await env.as.revokeClient(provider.clientId);
    const grants = (await env.as.grants()).filter((g) => g.clientId === provider.clientId);
    assert.ok(grants.length >= 1, 'the client has a grant');
    assert.ok(grants.every((g) => g.state === 'revoked'), `grants revoked: ${JSON.stringify(grants.map((g) => g.state))}`);
    await assert.rejects(
      refreshAuthorization(env.as.issuer, {
        metadata,
        clientInformation: provider.clientInformation(),
        refreshToken: live.refresh_token,
        resource: new URL(env.mcp.resource),
        fetchFn: env.trace.fetch,
      }),
      (e) => e instanceof InvalidGrantError,
    );
    const after = await introspect(env, metadata, live.access_token);
    assert.equal(after.status, 200);
    assert.deepEqual(after.json, { active: false }, 'introspection: inactive after revocation, nothing else');
  });

  await client?.close();
});
