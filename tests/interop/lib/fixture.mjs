// SPDX-License-Identifier: GPL-3.0-or-later
// Everything one flow needs, parameterized by the authorization server under test:
//   INTEROP_AS=tessera    Tessera from $TESSERA_BIN_DIR (default when TESSERA_BIN_DIR is set)
//   INTEROP_AS=reference  the TS SDK's reference AS endpoints (lib/reference-as.mjs)
// plus the sample MCP server registered as a resource, a loopback callback server, headless
// Chromium, an HTTP trace, and a report printed when a step fails.
import { randomBytes } from 'node:crypto';
import { Browser } from './browser.mjs';
import { CallbackServer } from './callback.mjs';
import { startReferenceAs } from './reference-as.mjs';
import { startTesseraAs } from './tessera.mjs';
import { freePort } from './net.mjs';
import { Trace } from './trace.mjs';
import { startMcpServer } from '../mcp-server/server.mjs';

export const SCOPES = [
  { name: 'files:read', description: 'Read files' },
  { name: 'files:write', description: 'Write files', risk: 'high' },
];

export function asKind() {
  const k = process.env.INTEROP_AS ?? (process.env.TESSERA_BIN_DIR ? 'tessera' : 'reference');
  if (k !== 'tessera' && k !== 'reference') throw new Error(`INTEROP_AS must be 'tessera' or 'reference', not '${k}'`);
  return k;
}

export function startAs() {
  return asKind() === 'tessera' ? startTesseraAs() : startReferenceAs();
}

/** Token lifetime of the flow's resource: short, so that expiry (and so refresh) can be forced. */
export const TOKEN_LIFETIME = Number(process.env.INTEROP_TOKEN_LIFETIME ?? 5);

export async function setupFlow(name, { browser = true, mcp = true, tokenLifetime = TOKEN_LIFETIME } = {}) {
  const env = { name, trace: new Trace(name), closers: [], notes: [] };
  try {
    env.as = await startAs();
    env.closers.push(() => env.as.stop());
    let uri;
    if (mcp) {
      env.mcp = await startMcpServer({ issuer: env.as.issuer, jwksUri: env.as.jwksUri });
      env.closers.push(() => env.mcp.close());
      uri = env.mcp.resource;
    } else {
      // A registered resource whose server is not running: enough for AS-only checks.
      uri = `http://127.0.0.1:${await freePort()}/mcp`;
    }
    {
      env.resourceUri = uri;
      env.resourceName = `files-${randomBytes(3).toString('hex')}`;
      env.resource = await env.as.addResource({
        name: env.resourceName,
        uri,
        scopes: SCOPES,
        defaultScopes: ['files:read'],
        tokenLifetime,
        displayName: 'Interop sample files',
      });
    }
    env.callback = await CallbackServer.start();
    env.closers.push(() => env.callback.close());
    if (browser) {
      env.browser = await Browser.launch();
      env.closers.push(() => env.browser.close());
    }
  } catch (e) {
    await closeAll(env);
    throw e;
  }

  env.report = () => {
    const parts = [`===== ${name} against ${env.as?.kind} (${env.as?.issuer}) =====`];
    parts.push('--- HTTP trace of the client (credentials redacted) ---', env.trace.format());
    if (env.approver) {
      parts.push('--- consent requests seen by the approver ---');
      for (const d of env.approver.decisions) {
        parts.push(JSON.stringify({ request: d.request, decision: d.decision, error: d.error }));
      }
      if (env.approver.lastError) parts.push(`approver last poll error: ${env.approver.lastError}`);
    }
    if (env.mcp) parts.push(`--- MCP server --- ${JSON.stringify({ ...env.mcp.stats, lastClaims: undefined })}`);
    if (env.browser) parts.push(`--- browser navigations --- ${JSON.stringify(env.browser.visits)}`);
    if (env.notes.length) parts.push('--- notes ---', ...env.notes);
    if (env.as?.diagnostics) parts.push(env.as.diagnostics());
    return parts.join('\n');
  };
  env.close = () => {
    // INTEROP_TRACE=1 prints the report of passing flows too (to see what a client does).
    if (process.env.INTEROP_TRACE) console.error(env.report());
    return closeAll(env);
  };
  return env;
}

async function closeAll(env) {
  await env.approver?.stop();
  for (const c of env.closers.reverse()) await c().catch(() => {});
  env.closers = [];
}

/**
 * Runs the named steps of a flow in order as subtests. After the first failure the rest are
 * skipped (except independent ones) and the flow's report (trace, consent requests, AS
 * output) is printed.
 */
export function stepper(t, env) {
  let failed = false;
  const run = (independent) => async (name, fn) => {
    await t.test(name, async (st) => {
      if (failed && !independent) {
        st.skip('an earlier step failed');
        return;
      }
      try {
        await fn(st);
      } catch (e) {
        console.error(`\nFAILED STEP "${name}": ${e.stack ?? e}\n${env.report()}\n`);
        failed = true;
        throw e;
      }
    });
  };
  const step = run(false);
  /** A step that sets up what it needs itself: it runs even after an earlier failure. */
  step.independent = run(true);
  return step;
}
