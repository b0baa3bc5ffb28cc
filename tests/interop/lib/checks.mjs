// SPDX-License-Identifier: GPL-3.0-or-later
// Assertions shared by the flows: RFC 9068 access tokens, RFC 7662 introspection, the
// authorization response (RFC 9207 iss), and the AS metadata Tessera's contract promises.
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

const jwksCache = new Map();

/** Verifies an access token with jose against the AS's JWKS; returns its claims. */
export async function checkAccessToken(env, token, { scope, clientId } = {}) {
  assert.equal(typeof token, 'string', 'access_token must be a string');
  const header = decodeProtectedHeader(token);
  assert.equal(header.alg, 'ES256', 'JWT alg');
  assert.equal(header.typ, 'at+jwt', 'RFC 9068 §2.1: typ at+jwt');
  assert.ok(header.kid, 'JWT kid');
  if (!jwksCache.has(env.as.jwksUri)) jwksCache.set(env.as.jwksUri, createRemoteJWKSet(new URL(env.as.jwksUri)));
  const { payload } = await jwtVerify(token, jwksCache.get(env.as.jwksUri), {
    issuer: env.as.issuer,
    audience: env.mcp.resource,
    typ: 'at+jwt',
    algorithms: ['ES256'],
    requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
  });
  assert.equal(payload.aud, env.mcp.resource, 'aud is the canonical resource URI (a string, not an array)');
  if (clientId) assert.equal(payload.client_id, clientId, 'client_id claim');
  if (scope) assert.deepEqual(splitScope(payload.scope), splitScope(scope), 'scope claim');
  return payload;
}

export const splitScope = (s) => String(s ?? '').split(' ').filter(Boolean).sort();

/** RFC 7662 introspection as the resource server (Basic resource-name:secret). */
export async function introspect(env, metadata, token, { auth = true } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (auth) {
    const { user, password } = env.resource.introspection;
    // RFC 6749 §2.3.1: form-encode both parts before Base64.
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(user)}:${encodeURIComponent(password)}`).toString('base64')}`;
  }
  const res = await env.trace.fetch(metadata.introspection_endpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ token }).toString(),
  });
  let json;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** An authorization response: code (or error), state echoed, iss = issuer, each exactly once. */
export function checkAuthorizationResponse(env, params, { state, expectError } = {}) {
  const counts = env.callback.counts.at(-1);
  if (expectError) {
    assert.equal(params.get('error'), expectError, 'error');
    assert.equal(params.has('code'), false, 'no code with an error');
  } else {
    assert.equal(params.get('error'), null, `authorization error: ${params.get('error')} ${params.get('error_description') ?? ''}`);
    assert.ok(params.get('code'), 'code present');
    assert.equal(counts.code, 1, 'code exactly once');
  }
  if (state !== undefined) {
    assert.equal(params.get('state'), state, 'state echoed verbatim');
    assert.equal(counts.state, 1, 'state exactly once');
  }
  assert.equal(params.get('iss'), env.as.issuer, 'RFC 9207: iss equals the issuer identifier');
  assert.equal(counts.iss, 1, 'iss exactly once');
}

/** The AS metadata fields Tessera's contract lists (RFC 8414). */
export function checkAsMetadata(env, m) {
  const i = env.as.issuer;
  assert.equal(m.issuer, i, 'issuer is byte-identical to the issuer identifier');
  assert.equal(m.authorization_endpoint, `${i}/authorize`);
  assert.equal(m.token_endpoint, `${i}/token`);
  assert.equal(m.registration_endpoint, `${i}/register`);
  assert.equal(m.revocation_endpoint, `${i}/revoke`);
  assert.equal(m.introspection_endpoint, `${i}/introspect`);
  assert.equal(m.jwks_uri, `${i}/jwks`);
  assert.deepEqual(m.response_types_supported, ['code']);
  assert.ok(m.code_challenge_methods_supported?.includes('S256'), 'S256 advertised');
  assert.ok(!m.code_challenge_methods_supported.includes('plain'), 'plain not advertised');
  assert.ok(m.grant_types_supported?.includes('authorization_code') && m.grant_types_supported.includes('refresh_token'));
  assert.ok(m.token_endpoint_auth_methods_supported?.includes('none'), 'public clients supported');
  assert.equal(m.authorization_response_iss_parameter_supported, true, 'RFC 9207 advertised');
  if (env.as.kind === 'tessera') {
    assert.deepEqual([...m.token_endpoint_auth_methods_supported].sort(), ['client_secret_basic', 'client_secret_post', 'none']);
    assert.equal(m.client_id_metadata_document_supported, true, 'CIMD advertised');
    for (const s of ['files:read', 'files:write']) assert.ok(m.scopes_supported?.includes(s), `scopes_supported has ${s}`);
  }
}

/** Entries of a trace slice at the MCP endpoint and the token endpoint only, summarized. */
export function mcpAndTokenSummary(trace, entries) {
  return trace.summary(entries.filter((e) => e.path === '/mcp' || e.path.endsWith('/token')));
}

export const sleepUntilExpired = async (exp) => {
  const ms = exp * 1000 - Date.now() + 1100;
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
};
