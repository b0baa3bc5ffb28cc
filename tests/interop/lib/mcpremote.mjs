// SPDX-License-Identifier: GPL-3.0-or-later
// mcp-remote (npm, the stdio↔HTTP bridge Claude Desktop and Cursor users run) as a real
// subprocess: an MCP SDK stdio client talks to it, it talks Streamable HTTP + OAuth to the
// sample server and Tessera. Its state lives in a temp MCP_REMOTE_CONFIG_DIR (never ~/.mcp-auth).
//
// The browser: mcp-remote opens the authorization URL with the `open` package, which runs its
// bundled xdg-open; without DISPLAY or a desktop session that script falls back to $BROWSER.
// BROWSER (and an `xdg-open` first on PATH, for mcp-remote's own fallbacks) is a two-line shell
// script that appends the URL to an inbox file and exits 0; the flow then opens each URL in
// headless Chromium as the person's browser would.
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const require = createRequire(import.meta.url);
export const MCP_REMOTE = require.resolve('mcp-remote/dist/proxy.js');
export const MCP_REMOTE_VERSION = require('mcp-remote/package.json').version;

/** The fake browser: URLs mcp-remote "opens" land in `inbox`, one a line. */
export async function browserShim(dir) {
  const inbox = join(dir, 'opened-urls');
  await writeFile(inbox, '', { mode: 0o600 });
  const script = join(dir, 'xdg-open');
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${inbox}'\n`, { mode: 0o700 });
  await chmod(script, 0o700);
  let taken = 0;
  return {
    env: { BROWSER: script, PATH: `${dir}:${process.env.PATH}` },
    /** Resolves with the next URL opened (in order), or rejects after `timeoutMs`. */
    async next({ timeoutMs = 20000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = (await readFile(inbox, 'utf8')).split('\n').filter(Boolean);
        if (lines.length > taken) return lines[taken++];
        if (Date.now() > deadline) throw new Error(`mcp-remote opened no browser within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    get opened() {
      return taken;
    },
  };
}

/** mcp-remote's cached state for the one server it knows: { clientInfo, tokens } (either may be undefined). */
export async function cachedState(configDir) {
  const dir = join(configDir, 'mcp-remote-v1');
  let names = [];
  try {
    names = await readdir(dir);
  } catch {
    return {};
  }
  const read = async (suffix) => {
    const name = names.find((n) => n.endsWith(suffix));
    return name ? JSON.parse(await readFile(join(dir, name), 'utf8')) : undefined;
  };
  return { clientInfo: await read('_client_info.json'), tokens: await read('_tokens.json') };
}

/**
 * Starts `mcp-remote <serverUrl> <callbackPort>` and connects an MCP client to it over stdio.
 * Resolves once `connect()` returns, i.e. after any sign-in mcp-remote needed.
 * The returned object has client, log() (mcp-remote's stderr) and close().
 */
export function startMcpRemote({ serverUrl, configDir, callbackPort, shim, home, authTimeoutSecs = 30 }) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, serverUrl, String(callbackPort), '--auth-timeout', String(authTimeoutSecs)],
    // A minimal environment: no DISPLAY, no desktop session, so xdg-open falls back to $BROWSER.
    env: { HOME: home, PATH: shim.env.PATH, BROWSER: shim.env.BROWSER, MCP_REMOTE_CONFIG_DIR: configDir, NO_COLOR: '1' },
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr?.on('data', (d) => {
    log += d;
    if (log.length > 200000) log = log.slice(-200000);
  });
  const client = new Client({ name: 'tessera-interop-mcp-remote', version: '1.0.0' });
  const handle = {
    client,
    transport,
    log: () => log,
    get pid() {
      return transport.pid;
    },
    async close() {
      await Promise.race([client.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())]);
      if (transport.pid) {
        try {
          process.kill(transport.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
  handle.connected = client.connect(transport, { timeout: 45000 }).then(() => handle);
  return handle;
}
