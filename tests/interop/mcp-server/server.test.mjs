// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests of the sample protected MCP server, with tokens minted by jose from a local key
// and a tiny local JWKS server: no authorization server is involved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpServer } from './server.mjs';
import { makeKey, mintToken, startJwksServer } from '../lib/testkeys.mjs';
import { headerValues, mcpPost, parseChallenge, rawRequest } from '../lib/http.mjs';

const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));

const callTool = (id, name, args) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** The single WWW-Authenticate challenge of a response, parsed; fails on zero or several. */
function onlyChallenge(res) {
  const values = headerValues(res, 'www-authenticate');
  assert.equal(values.length, 1, `expected exactly one WWW-Authenticate field, got ${JSON.stringify(values)}`);
  const c = parseChallenge(values[0]);
  assert.equal(c.scheme, 'Bearer', 'scheme must be spelled "Bearer" (VS Code matches it case-sensitively)');
  return c.params;
}

describe('sample MCP server', () => {
  let key;
  let otherKey;
  let jwksServer;
  let srv;
  let base;

  before(async () => {
    key = await makeKey();
    otherKey = await makeKey();
    jwksServer = await startJwksServer([key]);
    srv = await startMcpServer({ issuer: jwksServer.issuer });
    base = { issuer: jwksServer.issuer, audience: srv.resource };
  });

  after(async () => {
    await srv?.close();
    await jwksServer?.close();
  });

  test('binds 127.0.0.1 and defaults the resource to its exact MCP URL', async () => {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.equal(srv.resource, srv.url);
    // Not reachable over IPv6 loopback: it listens on 127.0.0.1 only.
    const err = await new Promise((resolve) => {
      const s = connect({ host: '::1', port: srv.port });
      s.on('connect', () => {
        s.destroy();
        resolve(null);
      });
      s.on('error', (e) => resolve(e));
    });
    assert.ok(err, 'a connection to [::1] must fail');
    assert.ok(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EAFNOSUPPORT'].includes(err.code), err.code);
  });

  test('serves RFC 9728 metadata at the path-inserted and the root well-known URLs', async () => {
    const expected = {
      resource: srv.resource,
      authorization_servers: [jwksServer.issuer],
      scopes_supported: ['files:read', 'files:write'],
      bearer_methods_supported: ['header'],
    };
    for (const url of [srv.prmUrl, `http://127.0.0.1:${srv.port}/.well-known/oauth-protected-resource`]) {
      const res = await rawRequest(url);
      assert.equal(res.status, 200, url);
      assert.match(res.headers['content-type'], /^application\/json/);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(res.json[k], v, `${url}: ${k}`);
    }
    assert.equal(srv.prmUrl, `http://127.0.0.1:${srv.port}/.well-known/oauth-protected-resource/mcp`);
  });

  test('no token: 401 with one Bearer challenge naming the metadata and the default scope', async () => {
    const res = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }));
    assert.equal(res.status, 401);
    const p = onlyChallenge(res);
    assert.deepEqual(p, { resource_metadata: srv.prmUrl, scope: 'files:read' });
  });

  test('a non-Bearer Authorization header counts as no token', async () => {
    const res = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }), {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    assert.equal(res.status, 401);
    assert.equal(onlyChallenge(res).error, undefined);
  });

  test('valid token: raw tools/call answers with the file', async () => {
    const token = await mintToken(key, base);
    const res = await mcpPost(srv.url, callTool(7, 'read_file', { path: 'hello.txt' }), { token });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.id, 7);
    assert.equal(res.json.result.content[0].text, 'Hello from the sample MCP server');
    assert.equal(srv.stats.lastClaims.client_id, 'interop-client');
  });

  test('valid token: the SDK 1.x client connects, lists tools and calls read_file', async () => {
    const token = await mintToken(key, base);
    const transport = new StreamableHTTPClientTransport(new URL(srv.url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: 'unit', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['list_files', 'read_file', 'write_file']);
      const r = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
      assert.equal(r.content[0].text, 'Hello from the sample MCP server');
    } finally {
      await client.close();
    }
  });

  const invalid = [
    ['wrong audience', { aud: 'http://127.0.0.1:1/other' }],
    ['audience of the same origin without the path', { aud: 'http://127.0.0.1:PORT' }],
    ['expired', { expSeconds: -30 }],
    ['alg none', { alg: 'none' }],
    ['typ JWT instead of at+jwt', { typ: 'JWT' }],
    ['wrong issuer', { iss: 'http://127.0.0.1:1' }],
    ['issuer with a trailing slash', { iss: 'ISSUER/' }],
    ['signed by a key not in the JWKS', { keyOther: true }],
    ['no client_id claim (RFC 9068 §2.2)', { omit: ['client_id'] }],
    ['no exp claim', { omit: ['exp'] }],
  ];
  for (const [name, over] of invalid) {
    test(`invalid token (${name}): 401 invalid_token with the challenge`, async () => {
      const o = { ...over };
      if (o.aud === 'http://127.0.0.1:PORT') o.aud = `http://127.0.0.1:${srv.port}`;
      if (o.iss === 'ISSUER/') o.iss = `${jwksServer.issuer}/`;
      if (o.keyOther) o.key = otherKey;
      const token = await mintToken(key, base, o);
      const before = srv.stats.ok;
      const res = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }), { token });
      assert.equal(res.status, 401, res.body);
      const p = onlyChallenge(res);
      assert.equal(p.error, 'invalid_token');
      assert.equal(p.resource_metadata, srv.prmUrl);
      assert.equal(p.scope, 'files:read');
      assert.equal(srv.stats.ok, before, 'the tool must not run');
      if (name === 'expired') assert.match(p.error_description, /expired/);
      assert.ok(!res.body.includes(token), 'the token must not be echoed');
    });
  }

  test('missing scope: 403 insufficient_scope naming every scope needed, once', async () => {
    const token = await mintToken(key, base, { scope: 'files:read' });
    const res = await mcpPost(srv.url, callTool(2, 'write_file', { path: 'x.txt', content: 'x' }), { token });
    assert.equal(res.status, 403, res.body);
    const p = onlyChallenge(res);
    assert.equal(p.error, 'insufficient_scope');
    assert.equal(p.scope, 'files:read files:write');
    assert.equal(p.resource_metadata, srv.prmUrl);
    assert.equal(srv.files.has('x.txt'), false, 'the write must not happen');
  });

  test('missing scope with only files:write: the challenge still lists both, in configured order', async () => {
    const token = await mintToken(key, base, { scope: 'files:write' });
    const res = await mcpPost(srv.url, callTool(3, 'read_file', { path: 'hello.txt' }), { token });
    assert.equal(res.status, 403);
    assert.equal(onlyChallenge(res).scope, 'files:read files:write');
  });

  test('a token with the scope may write; a batch needing more scopes is refused as a whole', async () => {
    const token = await mintToken(key, base, { scope: 'files:read files:write' });
    const res = await mcpPost(srv.url, callTool(4, 'write_file', { path: 'w.txt', content: 'data' }), { token });
    assert.equal(res.status, 200, res.body);
    assert.equal(srv.files.get('w.txt'), 'data');
    const narrow = await mintToken(key, base, { scope: 'files:read' });
    const batch = await mcpPost(
      srv.url,
      [callTool(5, 'read_file', { path: 'w.txt' }), callTool(6, 'write_file', { path: 'w.txt', content: 'z' })],
      { token: narrow },
    );
    assert.equal(batch.status, 403);
    assert.equal(srv.files.get('w.txt'), 'data');
  });

  test('a present, foreign Origin is refused with 403 even with a valid token', async () => {
    const token = await mintToken(key, base);
    const res = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }), {
      token,
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(res.status, 403);
    const own = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }), {
      token,
      headers: { origin: `http://127.0.0.1:${srv.port}` },
    });
    assert.equal(own.status, 200, own.body);
    const nul = await mcpPost(srv.url, callTool(1, 'read_file', { path: 'hello.txt' }), {
      token,
      headers: { origin: 'null' },
    });
    assert.equal(nul.status, 403);
  });

  test('a foreign Host (DNS rebinding) is refused with 403', async () => {
    const res = await rawRequest(srv.prmUrl, { headers: { host: `evil.example:${srv.port}` } });
    assert.equal(res.status, 403);
  });

  test('GET on the MCP endpoint: 401 without a token, 405 with one', async () => {
    const res = await rawRequest(srv.url, { headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 401);
    const token = await mintToken(key, base);
    const ok = await rawRequest(srv.url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 405);
  });
});

/** Runs server.mjs as a program and reads the JSON line it prints when it listens. */
async function runServer(args, env = {}) {
  const child = spawn(process.execPath, [serverScript, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const rl = createInterface({ input: child.stdout });
  const line = await new Promise((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(line), stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

describe('sample MCP server as a program', () => {
  test('takes its configuration from arguments', async () => {
    const { child, info, stop } = await runServer([
      '--issuer', 'http://127.0.0.1:9',
      '--port', '0',
      '--scopes', 'a:read,a:write',
      '--challenge-scopes', 'a:read',
    ]);
    try {
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const prm = await rawRequest(info.prm);
      assert.deepEqual(prm.json.scopes_supported, ['a:read', 'a:write']);
      assert.deepEqual(prm.json.authorization_servers, ['http://127.0.0.1:9']);
      const res = await mcpPost(info.url, callTool(1, 'read_file', { path: 'x' }));
      assert.equal(res.status, 401);
      assert.equal(onlyChallenge(res).scope, 'a:read');
    } finally {
      await stop();
    }
    assert.notEqual(child.exitCode, null);
  });

  test('takes its configuration from the environment', async () => {
    const { info, stop } = await runServer([], {
      MCP_ISSUER: 'http://127.0.0.1:8',
      MCP_RESOURCE: 'http://127.0.0.1:1234/mcp',
      MCP_SCOPES: 'x y',
    });
    try {
      const prm = await rawRequest(info.prm);
      assert.equal(prm.json.resource, 'http://127.0.0.1:1234/mcp');
      assert.deepEqual(prm.json.authorization_servers, ['http://127.0.0.1:8']);
      assert.deepEqual(prm.json.scopes_supported, ['x', 'y']);
    } finally {
      await stop();
    }
  });

  test('refuses to start without an issuer (usage, exit 2)', async () => {
    const child = spawn(process.execPath, [serverScript], { stdio: 'ignore', env: { ...process.env, MCP_ISSUER: '' } });
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 2);
  });
});
