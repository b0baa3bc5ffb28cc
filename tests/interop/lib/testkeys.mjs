// SPDX-License-Identifier: GPL-3.0-or-later
// A throwaway signing key and a tiny JWKS server on loopback, for unit tests of the sample
// MCP server (no authorization server involved): mint RFC 9068 tokens with jose, good or bad.
import { createServer } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, base64url } from 'jose';
import { closeServer, listen } from './net.mjs';

export async function makeKey() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  jwk.kid = await calculateJwkThumbprint(jwk, 'sha256');
  jwk.alg = 'ES256';
  jwk.use = 'sig';
  return { privateKey, jwk, kid: jwk.kid };
}

/** Serves {"keys": [...]} at /jwks on 127.0.0.1; returns { issuer, jwksUri, requests, close }. */
export async function startJwksServer(keys) {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/jwks') {
      state.requests++;
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  return { issuer, jwksUri: `${issuer}/jwks`, state, close: () => closeServer(server) };
}

/**
 * Mints an access token. `over` changes any part: { alg, typ, kid, key, iss, aud, scope,
 * expSeconds (relative), iat, clientId, sub, jti, omit: [claim names] }.
 */
export async function mintToken(key, base, over = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: over.iss ?? base.issuer,
    aud: over.aud ?? base.audience,
    sub: over.sub ?? 'interop-user',
    client_id: over.clientId ?? 'interop-client',
    scope: over.scope ?? 'files:read',
    iat: over.iat ?? now,
    exp: now + (over.expSeconds ?? 300),
    jti: over.jti ?? `jti-${Math.random().toString(36).slice(2)}`,
  };
  for (const c of over.omit ?? []) delete claims[c];
  const header = { alg: over.alg ?? 'ES256', typ: over.typ ?? 'at+jwt', kid: over.kid ?? key.kid };
  if (header.alg === 'none') {
    const enc = (o) => base64url.encode(JSON.stringify(o));
    return `${enc(header)}.${enc(claims)}.`;
  }
  return new SignJWT(claims).setProtectedHeader(header).sign((over.key ?? key).privateKey);
}
