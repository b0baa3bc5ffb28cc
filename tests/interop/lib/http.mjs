// SPDX-License-Identifier: GPL-3.0-or-later
// A raw HTTP client on node:http for tests that must see headers exactly as sent
// (fetch merges repeated headers and forbids setting Host).
import { request } from 'node:http';

/**
 * Sends one request. Returns { status, headers (lower-cased, joined), rawHeaders (pairs), body, json }.
 * `headers` may set Host and Origin freely.
 */
export function rawRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const pairs = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, rawHeaders: pairs, body: text, json });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** All values of one header, as separate fields (rawHeaders keeps repeats apart). */
export function headerValues(res, name) {
  return res.rawHeaders.filter(([k]) => k === name.toLowerCase()).map(([, v]) => v);
}

/**
 * Parses one WWW-Authenticate challenge "Scheme k=\"v\", k2=v2" into { scheme, params }.
 * Strict: throws when the value holds anything but a single challenge.
 */
export function parseChallenge(value) {
  const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+\-.^_`|~]*) +(.*)$/.exec(value);
  if (!m) throw new Error(`not a challenge: ${value}`);
  const params = {};
  let rest = m[2];
  const re = /^([A-Za-z0-9_\-]+)=("((?:[^"\\]|\\.)*)"|[^\s,]+)\s*(,\s*|$)/;
  while (rest.length) {
    const p = re.exec(rest);
    if (!p) throw new Error(`cannot parse challenge parameters at: ${rest}`);
    if (p[1] in params) throw new Error(`parameter ${p[1]} repeated (a second challenge?)`);
    params[p[1]] = p[3] !== undefined ? p[3].replace(/\\(.)/g, '$1') : p[2];
    rest = rest.slice(p[0].length);
  }
  return { scheme: m[1], params };
}

/** JSON-RPC POST to an MCP endpoint, as a Streamable HTTP client sends it. */
export function mcpPost(url, message, { token, headers = {} } = {}) {
  const h = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    ...headers,
  };
  if (token) h.authorization = `Bearer ${token}`;
  return rawRequest(url, { method: 'POST', headers: h, body: JSON.stringify(message) });
}
