// SPDX-License-Identifier: GPL-3.0-or-later
// Verifies a JWT access token with jose, independently of Tessera's own code.
//
//   node verify.mjs <jwks.json> <token-file> <issuer> <audience>
//
// Prints the verified claims as JSON on stdout and exits 0; on any failure prints the
// jose error code on stderr and exits 1. The token is read from a file, never from argv.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [jwksPath, tokenPath, issuer, audience] = process.argv.slice(2);
if (!jwksPath || !tokenPath || !issuer || !audience) {
  console.error('usage: node verify.mjs <jwks.json> <token-file> <issuer> <audience>');
  process.exit(2);
}

try {
  const jwks = createLocalJWKSet(JSON.parse(await readFile(jwksPath, 'utf8')));
  const token = (await readFile(tokenPath, 'utf8')).trim();
  const { payload } = await jwtVerify(token, jwks, {
    issuer,
    audience,
    typ: 'at+jwt',
    algorithms: ['ES256'],
    // RFC 9068 §2.2 required claims.
    requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
  });
  process.stdout.write(JSON.stringify(payload) + '\n');
} catch (e) {
  console.error(`verification failed: ${e.code ?? e.name}`);
  process.exit(1);
}
