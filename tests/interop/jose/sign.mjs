// SPDX-License-Identifier: GPL-3.0-or-later
// Issues an RFC 9068 access token with jose, for Tessera's verifier to check.
//
//   node sign.mjs <public-jwk-out.json> <token-out> <issuer> <audience>
//
// Generates a fresh ES256 key pair, signs {typ: at+jwt, alg: ES256, kid} with kid the RFC 7638
// thumbprint of the public key, and writes the public JWK and the token to the given files.
import { writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

const [jwkPath, tokenPath, issuer, audience] = process.argv.slice(2);
if (!jwkPath || !tokenPath || !issuer || !audience) {
  console.error('usage: node sign.mjs <public-jwk-out.json> <token-out> <issuer> <audience>');
  process.exit(2);
}

const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwk = await exportJWK(publicKey);
jwk.kid = await calculateJwkThumbprint(jwk, 'sha256');
jwk.alg = 'ES256';
jwk.use = 'sig';

const token = await new SignJWT({ client_id: 'jose-client', scope: 'files:read' })
  .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid })
  .setIssuer(issuer)
  .setAudience(audience)
  .setSubject('jose-user')
  .setJti('jose-jti-1')
  .setIssuedAt()
  .setExpirationTime('5m')
  .sign(privateKey);

await writeFile(jwkPath, JSON.stringify(jwk) + '\n', { mode: 0o600 });
await writeFile(tokenPath, token, { mode: 0o600 });
