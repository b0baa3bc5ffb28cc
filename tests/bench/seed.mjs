// SPDX-License-Identifier: GPL-3.0-or-later
// Seeding for the refresh-rotation benchmark: independent refresh tokens obtained through the
// real authorization code flow (PKCE S256, RFC 8707 resource) from each server, plus one
// rotation check that shows both servers answer a refresh the same way (new refresh token,
// ES256 at+jwt access token for the resource).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

export const REDIRECT_URI = 'http://127.0.0.1/cb';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(endpoint, { clientId, resource, scope, challenge, state }) {
  const u = new URL(endpoint);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    resource,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return u;
}

/** Minimal cookie jar: name -> value, no path or expiry handling (one flow per jar). */
class Jar {
  #cookies = new Map();
  take(res) {
    for (const c of [].concat(res.headers['set-cookie'] ?? [])) {
      const pair = c.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * One HTTP/1.1 request on node:http. Resolves { status, headers, text }. Not fetch(): undici
 * adds `Sec-Fetch-Mode: cors` to every request, which Tessera's /authorize rightly refuses
 * (security-cases A6: only a top-level navigation may raise a consent prompt).
 */
function httpRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A top-level browser navigation (GET), with the jar's cookies; redirects are not followed. */
async function get(url, jar) {
  const headers = { Accept: 'text/html', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' };
  const cookie = jar?.header();
  if (cookie) headers.Cookie = cookie;
  const res = await httpRequest(url, { headers });
  jar?.take(res);
  return res;
}

async function postJson(url, body) {
  const text = JSON.stringify(body);
  const res = await httpRequest(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(text) },
    body: text,
  });
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text: res.text };
}

/**
 * RFC 7591 dynamic client registration of a public client (auth method none) with one loopback
 * redirect URI, as the MCP SDKs send it. Returns the client_id.
 */
export async function registerClient(registrationEndpoint) {
  const res = await postJson(registrationEndpoint, {
    client_name: 'tessera-bench',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  if (res.status !== 201 || !res.json?.client_id) {
    throw new Error(`POST ${new URL(registrationEndpoint).pathname} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.json.client_id;
}

/** Validates a callback URL and returns its code. */
function codeFrom(location, { state, issuer }) {
  const cb = new URL(location);
  if (`${cb.origin}${cb.pathname}` !== REDIRECT_URI) throw new Error(`redirected to ${cb.origin}${cb.pathname}, not the redirect URI`);
  const p = cb.searchParams;
  if (p.get('error')) throw new Error(`authorization failed: ${p.get('error')} ${p.get('error_description') ?? ''}`);
  if (p.get('state') !== state) throw new Error('callback state does not match');
  if (p.get('iss') !== null && p.get('iss') !== issuer) throw new Error(`callback iss ${p.get('iss')} is not ${issuer}`);
  const code = p.get('code');
  if (!code) throw new Error('callback carries no code');
  return code;
}

async function tokenRequest(tokenEndpoint, form) {
  const body = new URLSearchParams(form).toString();
  const res = await httpRequest(tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
    body,
  });
  const { text } = res;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status !== 200 || !json) throw new Error(`POST ${new URL(tokenEndpoint).pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return json;
}

async function exchange(tokenEndpoint, { code, verifier, clientId, resource }) {
  const json = await tokenRequest(tokenEndpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: clientId,
    resource,
  });
  if (!json.refresh_token) throw new Error(`the code exchange returned no refresh_token (keys: ${Object.keys(json).join(', ')})`);
  return json;
}

function decodeJwt(jwt) {
  const [h, p] = String(jwt).split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url')), payload: JSON.parse(Buffer.from(p, 'base64url')) };
}

/**
 * One refresh with the token of a spare flow: the refresh token must rotate and the access token
 * must be an ES256 at+jwt for the resource. Returns a one-line description for the report.
 */
export async function checkRotation(tokenEndpoint, { refreshToken, clientId, resource, scope }) {
  const json = await tokenRequest(tokenEndpoint, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
  if (!json.refresh_token || json.refresh_token === refreshToken) throw new Error('the refresh token was not rotated');
  const { header, payload } = decodeJwt(json.access_token);
  const aud = [].concat(payload.aud);
  const problems = [];
  if (header.alg !== 'ES256') problems.push(`alg ${header.alg}`);
  if (String(header.typ).toLowerCase() !== 'at+jwt') problems.push(`typ ${header.typ}`);
  if (!aud.includes(resource)) problems.push(`aud ${JSON.stringify(payload.aud)}`);
  if (payload.scope !== scope) problems.push(`scope ${payload.scope}`);
  if (problems.length) throw new Error(`unexpected access token: ${problems.join(', ')}`);
  return `rotates; access token ${header.alg} ${header.typ}, aud ${aud.join(' ')}, scope ${payload.scope}, ` +
    `expires_in ${json.expires_in}, refresh token ${json.refresh_token.length} chars, access token ${json.access_token.length} chars`;
}

// --- oidc-provider ------------------------------------------------------------------------

/** One code flow against oidc-provider (tests/bench/oidc-provider/server.mjs completes the interaction). */
async function oidcProviderFlow({ issuer, clientId, resource, scope }) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const jar = new Jar();
  let url = authorizeUrl(`${issuer}/auth`, { clientId, resource, scope, challenge, state });
  for (let hop = 0; hop < 10; hop++) {
    const res = await get(url, jar);
    if (res.status !== 302 && res.status !== 303) throw new Error(`GET ${url.pathname} answered ${res.status}`);
    const next = new URL(res.headers.location, url);
    if (next.href.startsWith(REDIRECT_URI)) {
      const code = codeFrom(next.href, { state, issuer });
      return exchange(`${issuer}/token`, { code, verifier, clientId, resource });
    }
    url = next;
  }
  throw new Error('oidc-provider: too many redirects before the callback');
}

export async function seedOidcProvider({ issuer, clientId, resource, scope, count }) {
  const tokens = [];
  for (let i = 0; i < count; i++) tokens.push((await oidcProviderFlow({ issuer, clientId, resource, scope })).refresh_token);
  return tokens;
}

// --- Tessera ------------------------------------------------------------------------------

/** Runs tessera-cli; resolves { code, stdout, stderr }. */
export function tesseraCli(binDir, runtimeDir, args, { json = false } = {}) {
  const argv = ['--runtime-dir', runtimeDir, ...(json ? ['--json'] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(`${binDir}/tessera-cli`, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function tesseraCliOk(binDir, runtimeDir, args, opts) {
  const r = await tesseraCli(binDir, runtimeDir, args, opts);
  if (r.code !== 0) throw new Error(`tessera-cli ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return opts?.json ? JSON.parse(r.stdout) : r.stdout;
}

function unescapeHtml(s) {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/**
 * One code flow against Tessera. GET /authorize answers either 303 at once (covered by the
 * grant an earlier approval made) or the 200 waiting page, which sets a cookie for
 * /authorize/wait and points there; that held request answers 303 once the request is approved
 * (`tessera-cli approve ID --for forever`, polled from `tessera-cli --json requests`).
 */
async function tesseraFlow({ issuer, clientId, resource, scope, binDir, runtimeDir }) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const jar = new Jar();
  const first = authorizeUrl(`${issuer}/authorize`, { clientId, resource, scope, challenge, state });
  const res = await get(first, jar);
  const body = res.text;
  let location;
  if (res.status === 303) {
    location = res.headers.location;
  } else if (res.status === 200) {
    const m = body.match(/url=([^"]+)"/) ?? body.match(/href="(\/authorize\/wait[^"]*)"/);
    if (!m) throw new Error('the waiting page names no /authorize/wait URL');
    const waitUrl = new URL(unescapeHtml(m[1]), issuer);
    let settled = false;
    const waiting = get(waitUrl, jar).finally(() => (settled = true));
    const approved = new Set();
    while (!settled) {
      const pending = await tesseraCliOk(binDir, runtimeDir, ['requests'], { json: true });
      for (const r of pending) {
        if (approved.has(r.id) || r.requester?.clientId !== clientId) continue;
        approved.add(r.id);
        await tesseraCliOk(binDir, runtimeDir, ['approve', String(r.id), '--for', 'forever']);
      }
      await Promise.race([waiting, new Promise((r) => setTimeout(r, 50))]);
    }
    const waitRes = await waiting;
    if (waitRes.status !== 303) throw new Error(`GET /authorize/wait answered ${waitRes.status}`);
    location = waitRes.headers.location;
  } else {
    throw new Error(`GET /authorize answered ${res.status}: ${body.slice(0, 200)}`);
  }
  const code = codeFrom(location, { state, issuer });
  return exchange(`${issuer}/token`, { code, verifier, clientId, resource });
}

export async function seedTessera({ issuer, clientId, resource, scope, count, binDir, runtimeDir }) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push((await tesseraFlow({ issuer, clientId, resource, scope, binDir, runtimeDir })).refresh_token);
  }
  return tokens;
}
