// SPDX-License-Identifier: GPL-3.0-or-later
// mcp-remote (npm, pinned), the stdio↔HTTP bridge Claude Desktop and Cursor users run, as a
// real subprocess between an MCP stdio client and the sample server behind Tessera: sign-in
// (DCR, browser, approval), a tool call, refresh, revocation (it signs in again), and issue 10
// item 3: a cached registration Tessera no longer knows. mcp-remote probes the authorization
// URL with fetch() before it opens the browser; Tessera answers that probe 400 invalid_client
// (JSON), and mcp-remote drops its cached client and registers again on its own; a bug of
// mcp-remote 0.15.1 then holds that run's browser redirect back, so it completes on its next
// start (step 4), still without anyone deleting its config directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startApprover } from '../lib/approver.mjs';
import { sleepUntilExpired } from '../lib/checks.mjs';
import { asKind, setupFlow, stepper } from '../lib/fixture.mjs';
import { browserShim, cachedState, MCP_REMOTE_VERSION, startMcpRemote } from '../lib/mcpremote.mjs';
import { freePort } from '../lib/net.mjs';

const HELLO = 'Hello from the sample MCP server';

test(`mcp-remote ${MCP_REMOTE_VERSION}: sign-in, refresh, revocation, recovery from a forgotten registration`, { timeout: 90000, skip: asKind() !== 'tessera' && 'Tessera only: the recovery step forgets a client with tessera-cli' }, async (t) => {
  const env = await setupFlow('mcpremote');
  t.after(() => env.close());
  const step = stepper(t, env);
  const root = await mkdtemp(join(tmpdir(), 'tessera-interop-mcpremote-'));
  env.closers.push(() => rm(root, { recursive: true, force: true }));
  const shim = await browserShim(root);
  const opened = []; // every authorization URL mcp-remote opened, in order
  const approveFor = new Set();
  env.approver = startApprover(env.as, {
    decide: (req) => (approveFor.has(req.requester?.clientId) ? { action: 'approve' } : null),
  });
  const bridges = [];
  const logs = () => bridges.map((b, i) => `--- mcp-remote #${i + 1} stderr ---\n${b.log().slice(-6000)}`).join('\n');
  const report = env.report;
  env.report = () => `${report()}\n--- authorization URLs opened --- ${JSON.stringify(opened.map(redact))}\n${logs()}`;
  env.closers.push(async () => {
    for (const b of bridges) await b.close();
  });

  /** The person: takes the next URL mcp-remote opened and, if `open`, follows it in Chromium. */
  const person = async ({ open = true } = {}) => {
    const url = await shim.next();
    opened.push(url);
    const u = new URL(url);
    if (!open) return u;
    approveFor.add(u.searchParams.get('client_id'));
    await env.browser.authorize(url, u.searchParams.get('redirect_uri'));
    return u;
  };
  const bridge = (configDir, callbackPort) => {
    const b = startMcpRemote({ serverUrl: env.mcp.url, configDir, callbackPort, shim, home: root });
    bridges.push(b);
    return b;
  };
  const readHello = async (b) => {
    const r = await b.client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.equal(r.isError ?? false, false, JSON.stringify(r));
    assert.equal(r.content[0].text, HELLO);
  };

  const dirA = join(root, 'config-a');
  let a; // the first bridge, alive through refresh and revocation
  let clientA;

  await step('sign-in through mcp-remote: 401 → DCR → browser → approval → tool call', async () => {
    a = bridge(dirA, await freePort());
    const [, u] = await Promise.all([a.connected, person()]);
    const { clientInfo, tokens } = await cachedState(dirA);
    clientA = clientInfo?.client_id;
    assert.ok(clientA, 'mcp-remote cached its registration');
    assert.equal(u.searchParams.get('client_id'), clientA);
    assert.equal(u.searchParams.get('resource'), env.mcp.resource, 'RFC 8707 resource on the authorization request');
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(tokens?.access_token && tokens?.refresh_token, 'access and refresh token cached');
    const d = (await env.approver.waitForDecision(0)).request;
    assert.equal(d.requester.clientId, clientA);
    await readHello(a);
    assert.equal(env.mcp.stats.lastClaims.client_id, clientA);
  });

  await step('refresh: the access token expires, mcp-remote refreshes (rotated) and the call succeeds', async () => {
    const before = (await cachedState(dirA)).tokens;
    await sleepUntilExpired(decodeJwt(before.access_token).exp);
    const jtiBefore = env.mcp.stats.lastClaims.jti;
    await readHello(a);
    const after = (await cachedState(dirA)).tokens;
    assert.notEqual(after.access_token, before.access_token, 'a new access token');
    assert.notEqual(after.refresh_token, before.refresh_token, 'the refresh token rotated');
    const claims = env.mcp.stats.lastClaims;
    assert.notEqual(claims.jti, jtiBefore, 'the server saw the new token');
    assert.equal(claims.jti.split('.')[0], jtiBefore.split('.')[0], 'same grant: a refresh, not a new sign-in');
    assert.equal(shim.opened, 1, 'no browser for a refresh');
  });

  await step('revocation: tessera-cli revoke → refresh refused, 401 → mcp-remote signs in again', async () => {
    const grantBefore = env.mcp.stats.lastClaims.jti.split('.')[0];
    await env.as.revokeClient(clientA);
    const grants = await env.as.grants();
    assert.equal(grants.find((g) => g.id === grantBefore)?.state, 'revoked', JSON.stringify(grants));
    // The JWT stays valid at this server until it expires (it checks JWTs itself); after that
    // mcp-remote's refresh gets invalid_grant and the server answers 401.
    await sleepUntilExpired(decodeJwt((await cachedState(dirA)).tokens.access_token).exp);
    const rejected = env.mcp.stats.invalidToken + env.mcp.stats.unauthorized;
    const [, u] = await Promise.all([readHello(a), person()]);
    assert.ok(env.mcp.stats.invalidToken + env.mcp.stats.unauthorized > rejected, 'the MCP server answered 401');
    assert.equal(u.searchParams.get('client_id'), clientA, 'same registration, new authorization');
    assert.equal((await env.approver.waitForDecision(1)).request.requester.clientId, clientA);
    const grantAfter = env.mcp.stats.lastClaims.jti.split('.')[0];
    assert.notEqual(grantAfter, grantBefore, 'a new grant');
    assert.equal((await env.as.grants()).find((g) => g.id === grantAfter)?.state, 'active');
    await a.close();
  });

  await step('issue 10.3: a forgotten registration → invalid_client from the /authorize probe → re-registration', async () => {
    const dirB = join(root, 'config-b');
    const port = await freePort(); // the same callback port twice, or mcp-remote drops the cache itself
    // An abandoned sign-in: mcp-remote registers and opens the browser; nobody approves.
    const abandoned = bridge(dirB, port);
    abandoned.connected.catch(() => {});
    const first = await person({ open: false });
    const stale = (await cachedState(dirB)).clientInfo?.client_id;
    assert.ok(stale, 'the abandoned sign-in left a cached registration');
    assert.equal(first.searchParams.get('client_id'), stale);
    await abandoned.close();
    // Tessera purges unconsented registrations after an hour; forgetting it is the same for
    // the client: the client_id it cached is unknown now.
    const forgot = await env.as.process.cliOk(['client', 'forget', stale], { json: true });
    assert.equal(forgot.json.forgotten, stale);
    assert.equal((await cachedState(dirB)).clientInfo?.client_id, stale, 'mcp-remote still caches the old client');

    // mcp-remote started again with the stale cache probes /authorize with fetch(), gets 400
    // invalid_client, drops the cached client and registers again, on its own. Then it hits a
    // bug of its own (0.15.1): invalidateCredentials('client') keeps its pending flow, so the
    // SDK's retry joins the old flow's state and PKCE challenge and redirectToAuthorization
    // suppresses the new URL ("A sign-in for this server is already under way"): no browser
    // opens and this run waits for its --auth-timeout. The new registration is cached, so the
    // next start (the host restarts the server) completes, with nobody deleting ~/.mcp-auth.
    // Before Tessera's fix the probe got 403 navigation_required, which mcp-remote ignores: it
    // opened the browser with the forgotten client_id ("Unknown application") on every start.
    const mark = env.as.process.output().length;
    const retry = bridge(dirB, port);
    retry.connected.catch(() => {});
    const deadline = Date.now() + 15000;
    let fresh;
    while (!fresh && Date.now() < deadline) {
      const id = (await cachedState(dirB)).clientInfo?.client_id;
      if (id && id !== stale) fresh = id;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(fresh, 'mcp-remote did not drop the forgotten client and register again within 15 s');
    assert.match(env.as.process.output().slice(mark), new RegExp(`probe for an unknown client ${stale}`),
      "Tessera answered mcp-remote's probe for the forgotten client");
    assert.equal(shim.opened, opened.length, 'no browser opened with the forgotten client_id');
    await retry.close();
    env.notes.push(`mcp-remote ${MCP_REMOTE_VERSION}: re-registered after invalid_client, then suppressed its own browser redirect (pending flow kept); the next start completes`);

    const b = bridge(dirB, port);
    const [, u] = await Promise.all([b.connected, person()]);
    assert.equal(u.searchParams.get('client_id'), fresh, 'the browser opens for the new registration');
    assert.equal((await cachedState(dirB)).clientInfo?.client_id, fresh);
    await readHello(b);
    assert.equal(env.mcp.stats.lastClaims.client_id, fresh);
  });
});

/** An authorization URL without its state and challenge (they are no secrets, but keep reports short). */
function redact(url) {
  const u = new URL(url);
  for (const k of ['state', 'code_challenge']) if (u.searchParams.has(k)) u.searchParams.set(k, '…');
  return u.toString();
}
