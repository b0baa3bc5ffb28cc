// SPDX-License-Identifier: GPL-3.0-or-later
// The newcomer's walkthrough (README "Try it with an MCP client"): a protected sample MCP server
// and a real MCP TypeScript SDK 1.x client, against the Tessera you started with packaging/run.
//
//   node tests/interop/demo/demo.mjs [--issuer http://127.0.0.1:7391] [--port 3917]
//
// It registers the sample server with Tessera as resource "demo-files" (three scopes, one-minute
// tokens), then connects as a fresh client: the client registers itself (DCR), your browser
// opens Tessera's authorization page, Tessera's prompt asks you, and the client calls a tool
// every 20 s, refreshing its token when it expires. Revoke the grant on the dashboard (or with
// tessera-cli revoke) and watch the next refresh fail. Ctrl-C ends it.
import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { CallbackServer } from '../lib/callback.mjs';
import { startMcpServer } from '../mcp-server/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    issuer: { type: 'string', default: `http://127.0.0.1:${process.env.TESSERA_PORT ?? 7391}` },
    port: { type: 'string', default: '3917' },
    cli: { type: 'string', default: join(here, '../../../build/bin/tessera-cli') },
  },
});
const SCOPES = [
  ['files:read', 'Read your files'],
  ['files:write:high', 'Create and change files'],
  ['files:delete:high', 'Delete files'],
];
const say = (s) => process.stdout.write(`demo: ${s}\n`);
const cli = (...args) => promisify(execFile)(values.cli, args).catch((e) => e);

// 1. The protected MCP server, and its registration with Tessera.
const mcp = await startMcpServer({
  port: Number(values.port),
  issuer: values.issuer,
  scopes: SCOPES.map(([s]) => s.replace(/:high$/, '')),
  challengeScopes: SCOPES.map(([s]) => s.replace(/:high$/, '')),
});
say(`sample MCP server at ${mcp.url}`);
const shown = await cli('resource', 'show', 'demo-files');
if (shown.code !== undefined) {
  const added = await cli('resource', 'add', 'demo-files', '--uri', mcp.resource, '--display-name', 'Demo files',
    '--token-lifetime', '60', ...SCOPES.flatMap(([s, d]) => ['--scope', `${s}=${d}`]));
  if (added.code !== undefined) {
    say(`could not register the resource: ${added.stderr || added.message}`);
    say('is Tessera running (./packaging/run)?');
    process.exit(1);
  }
  say('registered resource "demo-files" with Tessera');
}

// 2. A native MCP client with a loopback redirect URI (RFC 8252 §7.3).
const callback = await CallbackServer.start();
let tokens;
let clientInfo;
let verifier;
const provider = {
  get redirectUrl() {
    return callback.url;
  },
  get clientMetadata() {
    return { client_name: 'Tessera demo client', redirect_uris: [callback.url], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none' };
  },
  clientInformation: () => clientInfo,
  saveClientInformation: (i) => (clientInfo = i),
  tokens: () => tokens,
  saveTokens: (t) => {
    if (tokens) say(`refreshed: new access token, scope "${t.scope}", expires in ${t.expires_in} s`);
    tokens = t;
  },
  saveCodeVerifier: (v) => (verifier = v),
  codeVerifier: () => verifier,
  redirectToAuthorization: (url) => {
    say('opening your browser at Tessera\'s authorization page; approve in Tessera\'s prompt');
    say(`(if no browser opens, visit: ${url.href})`);
    spawn('xdg-open', [url.href], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  },
};

const connect = async () => {
  const client = new Client({ name: 'tessera-demo', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
  return client;
};

let client;
try {
  client = await connect();
} catch (e) {
  if (!(e instanceof UnauthorizedError)) throw e;
  const params = await callback.next({ timeoutMs: 10 * 60 * 1000 });
  if (params.get('error')) {
    say(`authorization ended: ${params.get('error')} (${params.get('error_description') ?? 'no description'})`);
    process.exit(3);
  }
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider });
  await transport.finishAuth(params.get('code'));
  say(`approved: scope "${tokens.scope}", access token expires in ${tokens.expires_in} s`);
  client = await connect();
}

// 3. Use it until the grant ends.
const tick = async () => {
  try {
    const r = await client.callTool({ name: 'list_files', arguments: {} });
    say(`list_files → ${r.content?.[0]?.text ?? JSON.stringify(r)}`);
  } catch (e) {
    say(`the client lost access: ${e.message}`);
    say('(a revoked grant makes the refresh fail with invalid_grant; that is what you just saw)');
    await Promise.allSettled([mcp.close(), callback.close()]);
    process.exit(1);
  }
};
await tick();
const timer = setInterval(tick, 20000);
process.on('SIGINT', async () => {
  clearInterval(timer);
  await Promise.allSettled([mcp.close(), callback.close()]);
  process.exit(0);
});
