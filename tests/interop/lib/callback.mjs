// SPDX-License-Identifier: GPL-3.0-or-later
// A native client's loopback redirect URI (RFC 8252 §7.3): an HTTP server on 127.0.0.1 that
// receives the authorization response and hands its parameters to the flow.
import { createServer } from 'node:http';
import { closeServer, listen } from './net.mjs';

export class CallbackServer {
  static async start({ path = '/callback', port = 0 } = {}) {
    const cb = new CallbackServer(path);
    cb.port = await listen(cb.server, port);
    cb.url = `http://127.0.0.1:${cb.port}${path}`;
    return cb;
  }

  constructor(path) {
    this.path = path;
    this.queue = [];
    this.waiters = [];
    /** How many times each parameter name appeared, per callback (RFC 9207: iss exactly once). */
    this.counts = [];
    this.server = createServer((req, res) => {
      const u = new URL(req.url, 'http://127.0.0.1');
      if (u.pathname !== this.path || req.method !== 'GET') {
        res.writeHead(404);
        res.end();
        return;
      }
      const counts = {};
      for (const k of u.searchParams.keys()) counts[k] = (counts[k] ?? 0) + 1;
      this.counts.push(counts);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end('<!doctype html><title>Done</title><p>Authorization finished. You can close this window.</p>');
      const waiter = this.waiters.shift();
      if (waiter) waiter(u.searchParams);
      else this.queue.push(u.searchParams);
    });
  }

  /** Resolves to the URLSearchParams of the next authorization response. */
  next({ timeoutMs = 30000 } = {}) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no authorization response at ${this.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (p) => {
        clearTimeout(timer);
        resolve(p);
      };
      this.waiters.push(done);
    });
  }

  close() {
    return closeServer(this.server);
  }
}
