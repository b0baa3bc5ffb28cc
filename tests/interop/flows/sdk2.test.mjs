// SPDX-License-Identifier: GPL-3.0-or-later
// Product flow 1 with the MCP TypeScript SDK 2.x client (@modelcontextprotocol/client):
// like sdk1.test.mjs, plus what 2.x adds: it validates the metadata issuer against the PRM
// (IssuerMismatchError) and `iss` in the authorization response (RFC 9207), sends
// application_type in DCR, and steps up on 403 with a fresh authorization for the union of
// scopes (forceReauthorization) instead of a refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  auth,
  Client,
  discoverAuthorizationServerMetadata,
  OAuthError,
  refreshAuthorization,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { startApprover } from '../lib/approver.mjs';
import { checkAccessToken, checkAsMetadata, checkAuthorizationResponse, introspect, mcpAndTokenSummary, sleepUntilExpired, splitScope } from '../lib/checks.mjs';
import { setupFlow, stepper } from '../lib/fixture.mjs';
import { InteropOAuthProvider } from '../lib/oauth-provider.mjs';

test('MCP TypeScript SDK 2.x client: full authorization flow', { timeout: 120000 }, async (t) => {
  const env = await setupFlow('sdk2');
  t.after(() => env.close());
  const step = stepper(t, env);
  const provider = new InteropOAuthProvider({ env, clientName: 'Interop SDK 2.x client', persistDiscovery: true });
  let policy = 'approve';
  env.approver = startApprover(env.as, {
    decide: (req) => (req.requester?.clientId && req.requester.clientId === provider.clientId ? { action: policy } : null),
  });
  const serverUrl = new URL(env.mcp.url);
  const warnings = [];
  const origWarn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  t.after(() => {
    console.warn = origWarn;
  });
  let client;
  let transport;
  let metadata;

  const newTransport = () => new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: env.trace.fetch });

  await step('401 → discovery (issuer checked) → DCR → browser authorization → code exchange (iss checked)', async () => {
    transport = newTransport();
    const first = new Client({ name: 'tessera-interop-sdk2', version: '1.0.0' });
    await assert.rejects(first.connect(transport), (e) => e instanceof UnauthorizedError, 'connect must stop for the browser step');

    const s = env.trace.summary();
    assert.equal(s[0], 'POST /mcp 401');
    assert.ok(s.includes('GET /.well-known/oauth-protected-resource/mcp 200'), 'PRM fetched');
    assert.ok(s.includes('GET /.well-known/oauth-authorization-server 200'), 'AS metadata fetched');
    metadata = env.trace.find('/.well-known/oauth-authorization-server')[0].response;
    checkAsMetadata(env, metadata);
    const reg = env.trace.find('/register', { method: 'POST' });
    assert.equal(reg.length, 1, 'one DCR request');
    assert.equal(reg[0].status, 201, `DCR answered ${reg[0].status}: ${JSON.stringify(reg[0].response)}`);
    assert.equal(reg[0].request.application_type, 'native', 'SDK 2.x sends application_type (SEP-837)');
    assert.deepEqual(reg[0].response.redirect_uris, [env.callback.url]);

    const a = provider.authorizations[0];
    assert.equal(a.endpoint, metadata.authorization_endpoint);
    assert.deepEqual(splitScope(a.scope), ['files:read'], 'scope from the 401 challenge');
    assert.equal(a.resource, env.mcp.resource);
    assert.equal(a.code_challenge_method, 'S256');

    const params = await provider.completeAuthorization();
    checkAuthorizationResponse(env, params, { state: provider.states.at(-1) });
    // 2.x checks iss against the metadata issuer and the callback-leg AS binding.
    await transport.finishAuth(params);
    const tok = env.trace.find('/token', { grantType: 'authorization_code' });
    assert.equal(tok.length, 1);
    assert.equal(tok[0].status, 200, JSON.stringify(tok[0].response));
    assert.equal(tok[0].request.resource, env.mcp.resource);
    assert.equal(splitScope(tok[0].response.scope).join(' '), 'files:read', 'scope returned (2.x treats a missing scope as empty)');
    assert.ok(provider.tokens().refresh_token, 'a refresh token is issued');
    assert.equal(provider.tokens().issuer, env.as.issuer, 'tokens stamped with the issuer (SEP-2352)');
    await checkAccessToken(env, provider.tokens().access_token, { scope: 'files:read', clientId: provider.clientId });
  });

  await step('tool call with the access token', async () => {
    transport = newTransport();
    client = new Client({ name: 'tessera-interop-sdk2', version: '1.0.0' });
    await client.connect(transport);
    const r = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.equal(r.content[0].text, 'Hello from the sample MCP server');
  });

  await step('expired access token → 401 invalid_token → refresh → retried call succeeds', async () => {
    const before = provider.tokens();
    const claims = await checkAccessToken(env, before.access_token);
    await sleepUntilExpired(claims.exp);
    const mark = env.trace.mark();
    const r = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.equal(r.content[0].text, 'Hello from the sample MCP server');
    assert.deepEqual(mcpAndTokenSummary(env.trace, env.trace.since(mark)), ['POST /mcp 401', 'POST /token 200 refresh_token', 'POST /mcp 200']);
    const after = provider.tokens();
    assert.notEqual(after.access_token, before.access_token);
    assert.notEqual(after.refresh_token, before.refresh_token, 'refresh token rotated');
  });

  await step('step-up on 403 insufficient_scope: fresh authorization for the union, no refresh', async () => {
    const mark = env.trace.mark();
    await assert.rejects(
      client.callTool({ name: 'write_file', arguments: { path: 'notes.txt', content: 'step-up' } }),
      (e) => e instanceof UnauthorizedError,
      'the step-up needs the browser',
    );
    assert.deepEqual(mcpAndTokenSummary(env.trace, env.trace.since(mark)), ['POST /mcp 403'], 'no refresh before re-authorizing');
    const a = provider.authorizations.at(-1);
    assert.deepEqual(splitScope(a.scope), ['files:read', 'files:write'], 'union of held and challenged scopes (SEP-2350)');
    assert.equal(a.resource, env.mcp.resource);
    const params = await provider.completeAuthorization();
    checkAuthorizationResponse(env, params, { state: provider.states.at(-1) });
    const d = (await env.approver.waitForDecision(1)).request;
    const byName = Object.fromEntries(d.scopes.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['files:read', 'files:write']);
    assert.equal(byName['files:read'].alreadyGranted, true, 'files:read shown as already granted');
    assert.equal(byName['files:write'].alreadyGranted, false, 'files:write shown as new');
    await transport.finishAuth(params);
    await checkAccessToken(env, provider.tokens().access_token, { scope: 'files:read files:write', clientId: provider.clientId });
    const r = await client.callTool({ name: 'write_file', arguments: { path: 'notes.txt', content: 'step-up' } });
    assert.match(r.content[0].text, /Wrote 7 characters/);
    assert.equal(env.mcp.files.get('notes.txt'), 'step-up');
    env.notes.push('SDK 2.x step-up: 403 → new authorization (forceReauthorization) with the scope union → retry succeeds');
  });

  await step('revocation (administrative) → refresh fails with invalid_grant, introspection inactive', async () => {
    metadata ??= await discoverAuthorizationServerMetadata(env.as.issuer);
    const live = provider.tokens();
    assert.equal((await introspect(env, metadata, live.access_token)).json?.active, true);
    await env.as.revokeClient(provider.clientId);
    await assert.rejects(
      refreshAuthorization(env.as.issuer, {
        metadata,
        clientInformation: provider.clientInformation(),
        refreshToken: live.refresh_token,
        resource: new URL(env.mcp.resource),
        fetchFn: env.trace.fetch,
      }),
      (e) => e instanceof OAuthError && e.code === 'invalid_grant',
    );
    assert.deepEqual((await introspect(env, metadata, live.access_token)).json, { active: false });
  });

  await step('after revocation the SDK asks for a new authorization; a denial answers access_denied with iss', async () => {
    policy = 'deny';
    const decided = env.approver.decisions.length;
    const result = await auth(provider, {
      serverUrl,
      resourceMetadataUrl: new URL(env.mcp.prmUrl),
      fetchFn: env.trace.fetch,
    });
    assert.equal(result, 'REDIRECT', 'invalid_grant on refresh falls back to a new authorization');
    assert.ok(provider.invalidations.includes('tokens'), 'the SDK dropped the revoked tokens');
    const params = await provider.completeAuthorization();
    checkAuthorizationResponse(env, params, { state: provider.states.at(-1), expectError: 'access_denied' });
    const d = await env.approver.waitForDecision(decided);
    assert.equal(d.decision.action, 'deny');
    // A revoked grant covers nothing: the request had to reach the person.
    assert.ok(d.request.scopes.every((s) => s.alreadyGranted === false), 'nothing shown as already granted after revocation');
  });

  await client?.close();
  if (process.env.INTEROP_TRACE) console.error(`SDK 2.x warnings:\n${warnings.join('\n')}`);
  assert.deepEqual(
    warnings.filter((w) => /issuer|iss\b|SEP-2352/i.test(w)),
    [],
    'SDK 2.x printed no issuer/iss warnings',
  );
});
