// SPDX-License-Identifier: GPL-3.0-or-later
// A sample protected MCP server (OAuth resource server) on the official TypeScript SDK 1.x,
// Streamable HTTP, loopback only. It is what an MCP server author would write to be protected
// by Tessera: it serves RFC 9728 protected-resource metadata, answers 401/403 with the
// WWW-Authenticate challenges MCP clients parse, and validates RFC 9068 JWT access tokens
// with jose against the authorization server's JWKS.
//
//   node mcp-server/server.mjs --issuer URL [--port N] [--resource URL] [--jwks-uri URL]
//        [--scopes files:read,files:write] [--challenge-scopes files:read]
//        [--allowed-origin ORIGIN]...
// or the environment: MCP_PORT, MCP_ISSUER, MCP_RESOURCE, MCP_JWKS_URI, MCP_SCOPES,
// MCP_CHALLENGE_SCOPES, MCP_ALLOWED_ORIGINS (comma separated).
// Prints one JSON line {"url", "resource", "prm"} on stdout when it listens.
//
// Tools: read_file (needs files:read), write_file (needs files:write), list_files (files:read).
// The "files" live in memory; nothing touches the disk.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { closeServer, listen, readBody } from '../lib/net.mjs';

/** Which scopes each tool needs. */
export const TOOL_SCOPES = {
  read_file: ['files:read'],
  list_files: ['files:read'],
  write_file: ['files:write'],
};

const TOOLS = [
  {
    name: 'read_file',
    description: 'Reads a file from the in-memory store',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'list_files',
    description: 'Lists the files in the in-memory store',
    inputSchema: { type: 'object', properties: {} },
  },
  {
    name: 'write_file',
    description: 'Writes a file to the in-memory store',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
];

function quote(v) {
  // RFC 9110 §5.6.4 quoted-string; none of our values contain '"' or '\', but be safe.
  return `"${String(v).replace(/[\\"]/g, '\\$&')}"`;
}

/** One Bearer challenge (RFC 6750 §3), parameters in a fixed order. */
export function bearerChallenge(params) {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${quote(v)}`);
  return `Bearer ${parts.join(', ')}`;
}

function jsonRpcError(res, status, message, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message }, id: null }));
}

/**
 * Starts the sample server. Returns { url, resource, prmUrl, port, stats, close() }.
 * `stats` counts outcomes and keeps the last verified claims (never the token itself).
 */
export async function startMcpServer(options) {
  const {
    port = 0,
    issuer,
    scopes = ['files:read', 'files:write'],
    challengeScopes = ['files:read'],
    allowedOrigins = [],
    path = '/mcp',
  } = options;
  if (!issuer) throw new Error('startMcpServer: issuer is required');

  const files = new Map([['hello.txt', 'Hello from the sample MCP server']]);
  const stats = { ok: 0, unauthorized: 0, invalidToken: 0, forbidden: 0, rejectedOrigin: 0, lastClaims: null, failures: [] };
  let resource = options.resource;
  let prmUrl;
  let jwks;
  let boundPort;

  const prm = () => ({
    resource,
    authorization_servers: [issuer],
    scopes_supported: scopes,
    bearer_methods_supported: ['header'],
    resource_name: 'Tessera interop sample MCP server',
  });

  const challengeBase = () => ({ resource_metadata: prmUrl, scope: challengeScopes.join(' ') });

  function sendPrm(req, res) {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'mcp-protocol-version',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(prm()));
  }

  function hostAllowed(host) {
    return host === `127.0.0.1:${boundPort}` || host === `localhost:${boundPort}`;
  }

  function originAllowed(origin) {
    if (origin === undefined) return true; // non-browser clients send none
    const own = [`http://127.0.0.1:${boundPort}`, `http://localhost:${boundPort}`];
    return own.includes(origin) || allowedOrigins.includes(origin);
  }

  /** Verifies the bearer token; returns { claims } or { error } (a description, never the token). */
  async function verify(token) {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: resource,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti'],
      });
      return { claims: payload };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) return { error: 'The access token expired' };
      return { error: `The access token is not valid (${e.code ?? e.name})` };
    }
  }

  function requiredScopes(message) {
    const msgs = Array.isArray(message) ? message : [message];
    const needed = new Set();
    for (const m of msgs) {
      if (m?.method === 'tools/call') {
        for (const s of TOOL_SCOPES[m.params?.name] ?? []) needed.add(s);
      }
    }
    return [...needed];
  }

  function buildMcp() {
    const mcp = new Server({ name: 'tessera-interop-files', version: '1.0.0' }, { capabilities: { tools: {} } });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
    mcp.setRequestHandler(CallToolRequestSchema, async (request) => {
      const { name, arguments: args = {} } = request.params;
      switch (name) {
        case 'read_file': {
          const content = files.get(String(args.path));
          if (content === undefined) return { content: [{ type: 'text', text: `No such file: ${args.path}` }], isError: true };
          return { content: [{ type: 'text', text: content }] };
        }
        case 'list_files':
          return { content: [{ type: 'text', text: [...files.keys()].join('\n') }] };
        case 'write_file':
          files.set(String(args.path), String(args.content));
          return { content: [{ type: 'text', text: `Wrote ${String(args.content).length} characters to ${args.path}` }] };
        default:
          return { content: [{ type: 'text', text: `Unknown tool: ${name}` }], isError: true };
      }
    });
    return mcp;
  }

  async function handleMcp(req, res) {
    // MCP Streamable HTTP §Security Warning: validate Origin on every request (DNS rebinding).
    if (!originAllowed(req.headers.origin)) {
      stats.rejectedOrigin++;
      jsonRpcError(res, 403, 'Forbidden origin');
      return;
    }
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth);
    if (!m) {
      stats.unauthorized++;
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      const headers = { 'www-authenticate': bearerChallenge(challengeBase()) };
      jsonRpcError(res, 401, 'Authorization required', headers);
      return;
    }
    const { claims, error } = await verify(m[1]);
    if (!claims) {
      stats.invalidToken++;
      stats.failures.push(error);
      const headers = {
        'www-authenticate': bearerChallenge({ error: 'invalid_token', error_description: error, ...challengeBase() }),
      };
      jsonRpcError(res, 401, error, headers);
      return;
    }
    if (req.method !== 'POST') {
      // Stateless JSON server: no standalone SSE stream, no sessions to delete.
      res.writeHead(405, { allow: 'POST' });
      res.end();
      return;
    }
    let body;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch (e) {
      jsonRpcError(res, e.status ?? 400, 'Invalid JSON body');
      return;
    }
    const granted = new Set(String(claims.scope ?? '').split(' ').filter(Boolean));
    const needed = requiredScopes(body);
    if (needed.some((s) => !granted.has(s))) {
      stats.forbidden++;
      // MCP authorization §Runtime Insufficient Scope Errors: one challenge naming every scope the
      // operation needs, together with those already held, so a client that replaces its scope
      // set with the challenge (TS SDK 1.x, VS Code) does not lose what it had.
      const all = new Set([...scopes.filter((s) => granted.has(s) || needed.includes(s)), ...needed]);
      const headers = {
        'www-authenticate': bearerChallenge({
          error: 'insufficient_scope',
          scope: [...all].join(' '),
          resource_metadata: prmUrl,
          error_description: `This operation needs ${needed.join(' ')}`,
        }),
      };
      jsonRpcError(res, 403, 'Insufficient scope', headers);
      return;
    }
    stats.ok++;
    stats.lastClaims = claims;
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const mcp = buildMcp();
    res.on('close', () => {
      transport.close().catch(() => {});
      mcp.close().catch(() => {});
    });
    await mcp.connect(transport);
    req.auth = { token: '', clientId: claims.client_id, scopes: [...granted], expiresAt: claims.exp };
    await transport.handleRequest(req, res, body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://placeholder');
    if (!hostAllowed(req.headers.host)) {
      // DNS rebinding: a foreign Host means a page reached us under another name.
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Forbidden host\n');
      return;
    }
    const p = url.pathname;
    if (p === `/.well-known/oauth-protected-resource${path}` || p === '/.well-known/oauth-protected-resource') {
      sendPrm(req, res);
      return;
    }
    if (p === path) {
      handleMcp(req, res).catch((e) => {
        if (!res.headersSent) jsonRpcError(res, 500, `Internal error: ${e.message}`);
        else res.end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found\n');
  });

  boundPort = await listen(server, port);
  const url = `http://127.0.0.1:${boundPort}${path}`;
  resource ??= url;
  prmUrl = `http://127.0.0.1:${boundPort}/.well-known/oauth-protected-resource${path}`;
  const jwksUri = options.jwksUri ?? `${issuer.replace(/\/$/, '')}/jwks`;
  jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 0 });

  return {
    url,
    resource,
    prmUrl,
    port: boundPort,
    issuer,
    stats,
    files,
    close: () => closeServer(server),
  };
}

function list(v) {
  return v === undefined ? undefined : String(v).split(/[\s,]+/).filter(Boolean);
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      issuer: { type: 'string' },
      resource: { type: 'string' },
      'jwks-uri': { type: 'string' },
      scopes: { type: 'string' },
      'challenge-scopes': { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
    },
  });
  const env = process.env;
  const issuer = values.issuer ?? env.MCP_ISSUER;
  if (!issuer) {
    console.error('usage: node mcp-server/server.mjs --issuer URL [--port N] [--resource URL] [--jwks-uri URL] ' +
      '[--scopes a,b] [--challenge-scopes a] [--allowed-origin ORIGIN]...');
    process.exit(2);
  }
  const srv = await startMcpServer({
    port: Number(values.port ?? env.MCP_PORT ?? 0),
    issuer,
    resource: values.resource ?? env.MCP_RESOURCE,
    jwksUri: values['jwks-uri'] ?? env.MCP_JWKS_URI,
    scopes: list(values.scopes ?? env.MCP_SCOPES),
    challengeScopes: list(values['challenge-scopes'] ?? env.MCP_CHALLENGE_SCOPES),
    allowedOrigins: values['allowed-origin'] ?? list(env.MCP_ALLOWED_ORIGINS) ?? [],
  });
  process.stdout.write(JSON.stringify({ url: srv.url, resource: srv.resource, prm: srv.prmUrl }) + '\n');
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
