import { generateKeyPairSync } from 'node:crypto';
import { parseKeyPem, type ImageKey } from '../../shared/ota/keys';

export type KeyKind = 'ed25519' | 'ecdsa-p256';

/** A fresh signing key pair as PEM text, and the parsed private and public keys. */
export function makeKey(kind: KeyKind): {
  privatePem: string;
  publicPem: string;
  key: ImageKey;
  pub: ImageKey;
} {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519', {
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        })
      : generateKeyPairSync('ec', {
          namedCurve: 'P-256',
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        });
  return {
    privatePem: pair.privateKey,
    publicPem: pair.publicKey,
    key: parseKeyPem(pair.privateKey, 'test key'),
    pub: parseKeyPem(pair.publicKey, 'test public key'),
  };
}

/** Deterministic pseudo-random firmware bytes. */
export function firmwareBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
