// SPDX-License-Identifier: GPL-3.0-or-later
// A fetch wrapper that records every HTTP exchange a client makes, with every credential
// removed, so a failing flow can print exactly which request/response went wrong.
// Never records an Authorization header, a token, a code, a verifier or a client secret.

const SECRET_KEYS = new Set([
  'access_token', 'refresh_token', 'id_token', 'code', 'code_verifier', 'client_secret',
  'token', 'assertion', 'client_assertion', 'password',
]);

function redactParams(params) {
  const out = {};
  for (const [k, v] of params) out[k] = SECRET_KEYS.has(k) ? `[${v.length} chars]` : v;
  return out;
}

/** Returns a copy of a JSON value with every credential-bearing member replaced by its length. */
export function redactJson(value) {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.has(k) && typeof v === 'string' ? `[${v.length} chars]` : redactJson(v);
    }
    return out;
  }
  return value;
}

/** A URL as text with secret query parameters (code, tokens) replaced. */
export function redactUrl(url) {
  try {
    const u = new URL(String(url));
    for (const k of [...u.searchParams.keys()]) {
      if (SECRET_KEYS.has(k)) u.searchParams.set(k, `[${u.searchParams.get(k).length} chars]`);
    }
    return u.href;
  } catch {
    return '[unparsable url]';
  }
}

function describeBody(body, headers) {
  if (body == null) return undefined;
  if (body instanceof URLSearchParams) return redactParams(body);
  if (typeof body !== 'string') return '[non-text body]';
  const type = headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return redactParams(new URLSearchParams(body));
  if (type.includes('json')) {
    try {
      return redactJson(JSON.parse(body));
    } catch {
      return '[invalid json]';
    }
  }
  return `[${body.length} chars]`;
}

export class Trace {
  constructor(name) {
    this.name = name;
    this.entries = [];
    /** A fetch that records into this trace; pass it to SDK transports / oauth4webapi. */
    this.fetch = this.wrap(globalThis.fetch);
  }

  wrap(inner) {
    return async (input, init = {}) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init.method ?? (input instanceof Request ? input.method : 'GET');
      const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
      const entry = {
        at: new Date().toISOString(),
        method,
        url: redactUrl(url),
        path: new URL(url).pathname,
        request: describeBody(init.body, headers),
        bearer: headers.has('authorization') ? headers.get('authorization').split(' ')[0] : undefined,
      };
      this.entries.push(entry);
      try {
        const res = await inner(input, init);
        entry.status = res.status;
        const www = res.headers.get('www-authenticate');
        if (www) entry.wwwAuthenticate = www;
        const type = res.headers.get('content-type') ?? '';
        if (type.includes('json')) {
          try {
            entry.response = redactJson(await res.clone().json());
          } catch {
            entry.response = '[invalid json]';
          }
        }
        const location = res.headers.get('location');
        if (location) entry.location = redactUrl(location);
        return res;
      } catch (e) {
        entry.error = String(e?.message ?? e);
        throw e;
      }
    };
  }

  /** Entries whose path ends with `suffix` (e.g. '/token'), optionally of one grant type. */
  find(suffix, { grantType, method } = {}) {
    return this.entries.filter(
      (e) =>
        e.path.endsWith(suffix) &&
        (!method || e.method === method) &&
        (!grantType || e.request?.grant_type === grantType),
    );
  }

  /** Marks the current end of the trace; `since(mark)` returns what came after. */
  mark() {
    return this.entries.length;
  }

  since(mark) {
    return this.entries.slice(mark);
  }

  /** One line per exchange: method, path, status, and the redacted bodies of errors. */
  format(entries = this.entries) {
    return entries
      .map((e) => {
        let line = `${e.at} ${e.method} ${e.url} -> ${e.status ?? e.error}`;
        if (e.request && typeof e.request === 'object') line += ` req=${JSON.stringify(e.request)}`;
        if (e.wwwAuthenticate) line += ` www-authenticate=${e.wwwAuthenticate}`;
        if (e.location) line += ` location=${e.location}`;
        if (e.response !== undefined && (e.status >= 300 || !e.path.endsWith('/mcp'))) {
          line += ` res=${JSON.stringify(e.response)}`;
        }
        return line;
      })
      .join('\n');
  }

  /** Compact summary for assertions: "POST /token 200 refresh_token". */
  summary(entries = this.entries) {
    return entries.map((e) => `${e.method} ${e.path} ${e.status ?? 'ERR'}${e.request?.grant_type ? ' ' + e.request.grant_type : ''}`);
  }
}
