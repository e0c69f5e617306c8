import { generateKeyPairSync } from 'node:crypto';
import { parseKeyPem } from '../shared/ota/keys';
import { signImage, verifyImage } from '../shared/ota/image';
import { parseImageVersion } from '../shared/ota/version';
import { timeIt, type BenchRow } from './table';

/** Sign and verify time for a 256 KiB firmware image, ed25519 and ECDSA P-256. */
export async function benchOta(): Promise<BenchRow[]> {
  const firmware = new Uint8Array(256 * 1024).map((_, i) => (i * 2654435761) >>> 24);
  const rows: BenchRow[] = [];
  const pairs: Array<[string, { privateKey: string; publicKey: string }]> = [
    [
      'ed25519',
      generateKeyPairSync('ed25519', {
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    ],
    [
      'ECDSA P-256',
      generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    ],
  ];
  for (const [name, pair] of pairs) {
    const key = parseKeyPem(pair.privateKey, name);
    const pub = parseKeyPem(pair.publicKey, name);
    const options = { version: parseImageVersion('1.0.0'), padHeader: true };
    const image = signImage(firmware, key, options);
    rows.push({
      name: `sign 256 KiB image, ${name}`,
      value: `${timeIt(() => signImage(firmware, key, options)).toFixed(2)} ms`,
    });
    rows.push({
      name: `verify 256 KiB image, ${name}`,
      value: `${timeIt(() => verifyImage(image, pub)).toFixed(2)} ms`,
    });
  }
  return rows;
}
