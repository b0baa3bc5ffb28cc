// SPDX-License-Identifier: GPL-3.0-or-later
// A fetch that sends every request body with Transfer-Encoding: chunked, the way a streaming
// Node client does: node:http request().write() several times, then end(), no Content-Length.
// Node's own fetch (undici) and most SDKs send a Content-Length for a string body, so they never
// exercise an AS's chunked decoding; this does, and it records what went on the wire.
import { spawn } from 'node:child_process';
import { request } from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function bodyBytes(body) {
  if (body == null) return undefined;
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return Buffer.from(body);
  throw new Error(`chunkedFetch: unsupported body type ${Object.prototype.toString.call(body)}`);
}

/** Splits a buffer into `n` pieces at uneven offsets (inside %-escapes and JSON strings too). */
function pieces(buf, n = 3) {
  if (buf.length < n) return [buf];
  const cuts = [];
  for (let i = 1; i < n; i++) cuts.push(Math.floor((buf.length * i) / n) - (i % 2));
  const out = [];
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(buf.subarray(from, c));
    from = c;
  }
  return out.filter((p) => p.length > 0);
}

/**
 * Returns fetch(url, init) over node:http. A request with a body is written in several pieces,
 * a few milliseconds apart (so they arrive as separate chunks and separate TCP segments).
 * `wire` collects one entry per request: { method, path, chunked, contentLength, pieces }.
 */
export function chunkedFetch(wire = []) {
  const fetchChunked = (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init.method ?? 'GET';
      const headers = {};
      new Headers(init.headers).forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v;
      });
      const body = bodyBytes(init.body);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false }, (res) => {
        const data = [];
        res.on('data', (c) => data.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const nullBody = [101, 204, 205, 304].includes(res.statusCode);
          resolve(new Response(nullBody ? null : Buffer.concat(data), { status: res.statusCode, headers: h }));
        });
      });
      req.on('error', reject);
      const entry = { method, path: url.pathname };
      wire.push(entry);
      const finish = () => {
        // What node:http put in the request head: Transfer-Encoding: chunked and no Content-Length.
        const head = String(req._header ?? '');
        entry.chunked = /\r\ntransfer-encoding: chunked\r\n/i.test(head);
        entry.contentLength = /\r\ncontent-length:/i.test(head);
      };
      if (!body) {
        req.end();
        finish();
        return;
      }
      (async () => {
        const parts = pieces(body);
        entry.pieces = parts.length;
        for (const p of parts) {
          req.write(p);
          finish();
          await sleep(5);
        }
        req.end();
      })().catch(reject);
    });
  return fetchChunked;
}

/**
 * Streams up to `total` bytes of `byte` as a chunked body in `chunkSize` writes and resolves with
 * { status, sent } as soon as the server answers (writing stops then). For the body cap.
 */
export function chunkedFlood(url, { total, chunkSize = 16 * 1024, contentType = 'application/json', byte = '[' } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let answered = false;
    let sent = 0;
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': contentType }, agent: false },
      (res) => {
        // The status is all that matters; the server may reset the connection after it.
        answered = true;
        resolve({ status: res.statusCode, sent });
        req.destroy();
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const piece = Buffer.alloc(chunkSize, byte);
    // A pause after each piece, so an early answer is read before more is pushed
    // (a server that has answered drains only so much before it resets the connection).
    (async () => {
      while (!answered && sent < total) {
        sent += piece.length;
        if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
        // A timer, not setImmediate: with setImmediate the answer was observed only after EPIPE.
        await sleep(2);
      }
      if (!answered) req.end();
    })().catch(reject);
  });
}

/**
 * curl -X POST -T - : curl uploads stdin with Transfer-Encoding: chunked (and Expect: 100-continue).
 * Resolves { status, body, json }. Rejects if curl is missing (it is in packaging/install-deps.sh).
 */
export function curlChunked(url, { input, contentType, headers = [] }) {
  return new Promise((resolve, reject) => {
    const args = ['-sS', '-o', '-', '-w', '\n%{http_code}', '-X', 'POST', '-H', `Content-Type: ${contentType}`];
    for (const h of headers) args.push('-H', h);
    args.push('-T', '-', url);
    const child = spawn('curl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl exited ${code}: ${err}`));
      const at = out.lastIndexOf('\n');
      const body = out.slice(0, at);
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: Number(out.slice(at + 1)), body, json });
    });
    child.stdin.end(input);
  });
}
