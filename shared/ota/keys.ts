import { createPrivateKey, createPublicKey, createHash, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';

/** The signature schemes TinyOps signs with; both are what MCUboot verifies natively. */
export type SignatureKind = 'ed25519' | 'ecdsa-p256';

export interface ImageKey {
  kind: SignatureKind;
  /** Absent when only a public key was given (verification only). */
  privateKey?: KeyObject;
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo: the bytes imgtool hashes into the KEYHASH TLV and embeds in the bootloader. */
  spki: Uint8Array;
}

/** Parses a PEM (private or public). `source` names where it came from for messages; the key
 * text itself never appears in an error. */
export function parseKeyPem(pem: string, source: string): ImageKey {
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
    publicKey = createPublicKey(privateKey);
  } catch {
    try {
      publicKey = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      throw new TinyOpsError('OTA_KEY', `${source} is not a PEM private or public key`, {
        where: source,
        hint: 'Give an ed25519 or ECDSA P-256 key in PEM, e.g. from `openssl genpkey -algorithm ed25519` or `imgtool keygen -t ed25519`.',
      });
    }
  }
  const type = publicKey.asymmetricKeyType;
  let kind: SignatureKind;
  if (type === 'ed25519') kind = 'ed25519';
  else if (type === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    kind = 'ecdsa-p256';
  else
    throw new TinyOpsError(
      'OTA_KEY',
      `${source} is a ${type}${type === 'ec' ? ` (${publicKey.asymmetricKeyDetails?.namedCurve})` : ''} key; MCUboot images are signed here with ed25519 or ECDSA P-256`,
      {
        where: source,
        hint: 'Generate one with `openssl genpkey -algorithm ed25519 -out key.pem`.',
      },
    );
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  return { kind, privateKey, publicKey, spki };
}

/** Loads a key from a PEM file, or from an environment variable holding the PEM text (a secret). */
export function loadKey(options: {
  file?: string;
  envName?: string;
  env?: NodeJS.ProcessEnv;
}): ImageKey {
  if (options.envName !== undefined) {
    const text = (options.env ?? process.env)[options.envName];
    if (!text)
      throw new TinyOpsError(
        'OTA_KEY',
        `Environment variable ${options.envName} is empty or unset`,
        {
          where: `$${options.envName}`,
          hint: 'Map the signing-key secret into it, e.g. `env: { OTA_KEY: ${{ secrets.OTA_SIGNING_KEY }} }`.',
        },
      );
    return parseKeyPem(text, `$${options.envName}`);
  }
  if (options.file === undefined)
    throw new TinyOpsError('OTA_KEY', 'No key given', {
      hint: 'Pass --key KEY.pem or --key-env VAR.',
    });
  let text: string;
  try {
    text = fs.readFileSync(options.file, 'utf8');
  } catch {
    throw new TinyOpsError('OTA_KEY', `Key file not found or unreadable: ${options.file}`, {
      where: options.file,
      hint: 'Check the path to the PEM file.',
    });
  }
  return parseKeyPem(text, options.file);
}

/** The KEYHASH TLV value: SHA-256 of the DER SubjectPublicKeyInfo (as `imgtool getpubhash`). */
export function keyHash(key: ImageKey): Uint8Array {
  return new Uint8Array(createHash('sha256').update(key.spki).digest());
}
