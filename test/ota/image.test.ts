import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signImage, verifyImage } from '../../shared/ota/image';
import { parseImageVersion } from '../../shared/ota/version';
import { TinyOpsError } from '../../shared/errors';
import { runCli } from '../helpers/cli';
import { firmwareBytes, makeKey, type KeyKind } from './keys-helper';

/** A second, minimal MCUboot image parser written from shared/spec/mcuboot-image-format.md, sharing
 * no code with shared/ota, so a misreading of the format in one is caught by the other. */
function independentParse(img: Uint8Array) {
  const b = Buffer.from(img.buffer, img.byteOffset, img.byteLength);
  const header = {
    magic: b.readUInt32LE(0),
    loadAddr: b.readUInt32LE(4),
    hdrSize: b.readUInt16LE(8),
    protectSize: b.readUInt16LE(10),
    imgSize: b.readUInt32LE(12),
    flags: b.readUInt32LE(16),
    version: [b[20], b[21], b.readUInt16LE(22), b.readUInt32LE(24)],
    pad1: b.readUInt32LE(28),
  };
  const tlvsAt = (start: number) => {
    const magic = b.readUInt16LE(start);
    const tot = b.readUInt16LE(start + 2);
    const items: Array<{ type: number; value: Buffer }> = [];
    for (let p = start + 4; p < start + tot;) {
      const len = b.readUInt16LE(p + 2);
      items.push({ type: b.readUInt16LE(p), value: b.subarray(p + 4, p + 4 + len) });
      p += 4 + len;
    }
    return { magic, tot, items };
  };
  const protStart = header.hdrSize + header.imgSize;
  const prot = header.protectSize ? tlvsAt(protStart) : null;
  const unprotStart = protStart + header.protectSize;
  return { header, prot, unprot: tlvsAt(unprotStart), hashRegion: b.subarray(0, unprotStart) };
}

const KINDS: KeyKind[] = ['ed25519', 'ecdsa-p256'];

describe.each(KINDS)('MCUboot image, %s', (kind) => {
  const k = makeKey(kind);
  const fw = firmwareBytes(10 * 1024);
  const image = signImage(fw, k.key, { version: parseImageVersion('v1.2.3+4'), padHeader: true });

  test('verifies with the private and the public key', () => {
    expect(verifyImage(image, k.key).signatureKind).toBe(kind);
    const r = verifyImage(image, k.pub);
    expect(r.image.version).toEqual({ major: 1, minor: 2, revision: 3, build: 4 });
    expect(r.image.imageSize).toBe(10240);
  });

  test('has the layout the spec gives (10 KiB payload example sizes)', () => {
    if (kind === 'ed25519') expect(image.length).toBe(10896);
    else expect([10902, 10903, 10904]).toContain(image.length); // DER signature is 70-72 bytes
  });

  test('an independent parser agrees: header, TLV magics and types, digest, signature, key hash', () => {
    const p = independentParse(image);
    expect(p.header).toEqual({
      magic: 0x96f3b83d,
      loadAddr: 0,
      hdrSize: 0x200,
      protectSize: 0,
      imgSize: 10240,
      flags: 0,
      version: [1, 2, 3, 4],
      pad1: 0,
    });
    expect(Buffer.from(image.subarray(0, 4)).toString('hex')).toBe('3db8f396');
    expect(Buffer.from(image.subarray(20, 32)).toString('hex')).toBe('010203000400000000000000');
    // --pad-header filler is the erased value
    expect(image.subarray(32, 0x200).every((x) => x === 0xff)).toBe(true);
    expect(Buffer.from(image.subarray(0x200, 0x200 + fw.length)).equals(Buffer.from(fw))).toBe(
      true,
    );
    expect(p.unprot.magic).toBe(0x6907);
    expect(0x200 + 10240 + p.unprot.tot).toBe(image.length);
    expect(p.unprot.items.map((t) => t.type)).toEqual([
      0x10,
      0x01,
      kind === 'ed25519' ? 0x24 : 0x22,
    ]);
    const digest = createHash('sha256').update(p.hashRegion).digest();
    expect(p.unprot.items[0].value.equals(digest)).toBe(true);
    const spki = createPublicKey(k.publicPem).export({ type: 'spki', format: 'der' });
    expect(spki.length).toBe(kind === 'ed25519' ? 44 : 91);
    if (kind === 'ed25519')
      expect(spki.subarray(0, 12).toString('hex')).toBe('302a300506032b6570032100');
    expect(p.unprot.items[1].value.equals(createHash('sha256').update(spki).digest())).toBe(true);
    const sig = p.unprot.items[2].value;
    if (kind === 'ed25519') {
      expect(sig.length).toBe(64);
      // ed25519: the signed message is the 32-byte digest, not the image
      expect(cryptoVerify(null, digest, createPublicKey(k.publicPem), sig)).toBe(true);
      expect(cryptoVerify(null, p.hashRegion, createPublicKey(k.publicPem), sig)).toBe(false);
    } else {
      expect(sig[0]).toBe(0x30);
      expect(sig[1] + 2).toBe(sig.length);
      expect(
        cryptoVerify(
          'sha256',
          p.hashRegion,
          { key: createPublicKey(k.publicPem), dsaEncoding: 'der' },
          sig,
        ),
      ).toBe(true);
    }
  });

  test('protected TLVs (security counter) are inside the hashed region', () => {
    const v = parseImageVersion('2.1.7');
    const img = signImage(fw, k.key, { version: v, padHeader: true, securityCounter: 0x02010007 });
    const p = independentParse(img);
    expect(p.header.protectSize).toBe(12);
    expect(p.prot).toEqual({
      magic: 0x6908,
      tot: 12,
      items: [{ type: 0x50, value: Buffer.from([7, 0, 1, 2]) }],
    });
    expect(p.hashRegion.length).toBe(0x200 + 10240 + 12);
    expect(p.unprot.items[0].value.equals(createHash('sha256').update(p.hashRegion).digest())).toBe(
      true,
    );
    expect(verifyImage(img, k.pub).image.protectedTlvs).toHaveLength(1);
  });

  const fails = (bytes: Uint8Array, key = k.pub) => {
    try {
      verifyImage(bytes, key, 'img.bin');
    } catch (err) {
      expect(err).toBeInstanceOf(TinyOpsError);
      return (err as TinyOpsError).message;
    }
    throw new Error('verification passed');
  };

  test('a flipped payload byte, header byte or signature byte fails', () => {
    const payload = Uint8Array.from(image);
    payload[0x200 + 5000] ^= 0x01;
    expect(fails(payload)).toMatch(/does not match the image's hash TLV/);
    const header = Uint8Array.from(image);
    header[0x14] ^= 0x01; // version
    expect(fails(header)).toMatch(/does not match/);
    const sig = Uint8Array.from(image);
    sig[image.length - 10] ^= 0x01;
    expect(fails(sig)).toMatch(/signature does not verify|not match/);
  });

  test('a wrong key fails', () => {
    expect(fails(image, makeKey(kind).pub)).toMatch(/signed with a different key/);
    const other = makeKey(kind === 'ed25519' ? 'ecdsa-p256' : 'ed25519').pub;
    expect(fails(image, other)).toMatch(/different key/);
  });

  test('a truncated image fails', () => {
    expect(fails(image.subarray(0, image.length - 1))).toMatch(/truncated/);
    expect(fails(image.subarray(0, 0x200 + 100))).toMatch(/truncated/);
    expect(fails(image.subarray(0, 20))).toMatch(/truncated/);
  });

  test('python cryptography verifies the signature too (skips when absent)', () => {
    const probe = spawnSync('python3', ['-c', 'import cryptography'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('python3 cryptography not available: skipping the cross-check');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ota-py-'));
    try {
      fs.writeFileSync(path.join(dir, 'img.bin'), image);
      fs.writeFileSync(path.join(dir, 'pub.pem'), k.publicPem);
      const script = `
import hashlib, struct, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
img = open(sys.argv[1], 'rb').read()
pub = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())
magic, load, hdr, prot, size = struct.unpack_from('<IIHHI', img, 0)
assert magic == 0x96f3b83d
end = hdr + size + prot
tmagic, tot = struct.unpack_from('<HH', img, end)
assert tmagic == 0x6907
tlv, p = {}, end + 4
while p < end + tot:
    t, l = struct.unpack_from('<HH', img, p); tlv[t] = img[p+4:p+4+l]; p += 4 + l
digest = hashlib.sha256(img[:end]).digest()
assert tlv[0x10] == digest
spki = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
assert tlv[0x01] == hashlib.sha256(spki).digest()
if 0x24 in tlv: pub.verify(tlv[0x24], digest)
else: pub.verify(tlv[0x22], img[:end], ec.ECDSA(hashes.SHA256()))
print('OK')
`;
      const r = spawnSync(
        'python3',
        ['-c', script, path.join(dir, 'img.bin'), path.join(dir, 'pub.pem')],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('OK');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('signing options and inputs', () => {
  const k = makeKey('ed25519');

  test('without --pad-header the first header bytes must be reserved; then they are kept', () => {
    const fw = firmwareBytes(4096);
    expect(() => signImage(fw, k.key, { version: parseImageVersion('1.0.0') })).toThrow(
      /reserved bytes/,
    );
    const reserved = new Uint8Array(0x200 + 4096);
    reserved.set(fw, 0x200);
    const img = signImage(reserved, k.key, {
      version: parseImageVersion('1.0.0'),
      loadAddress: 0x10000000,
    });
    expect(img.subarray(32, 0x200).every((x) => x === 0)).toBe(true);
    const r = verifyImage(img, k.pub);
    expect(r.image.imageSize).toBe(4096);
    expect(r.image.loadAddress).toBe(0x10000000);
  });

  test('--pad writes the boot trailer at the end of the slot, outside the signed region', () => {
    const img = signImage(firmwareBytes(1000), k.key, {
      version: parseImageVersion('1.0.0'),
      padHeader: true,
      headerSize: 0x20,
      padToSlot: 4096,
    });
    expect(img.length).toBe(4096);
    expect(Buffer.from(img.subarray(4080)).toString('hex')).toBe(
      '77c295f360d2ef7f3552500f2cb67980',
    );
    expect(verifyImage(img, k.pub).image.headerSize).toBe(0x20);
  });

  test('a public key cannot sign; versions are checked', () => {
    expect(() =>
      signImage(firmwareBytes(10), k.pub, { version: parseImageVersion('1.0.0'), padHeader: true }),
    ).toThrow(/private key/);
    expect(() => parseImageVersion('1.2.x')).toThrow(TinyOpsError);
    expect(() => parseImageVersion('256.0.0')).toThrow(/exceeds/);
    expect(parseImageVersion('refs/tags/v3.4')).toEqual({
      major: 3,
      minor: 4,
      revision: 0,
      build: 0,
    });
  });
});

describe('tinyops ota sign / verify', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ota-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(KINDS)(
    '%s: sign from a secret in an env var, verify with the public PEM; tampering exits 1',
    async (kind) => {
      const k = makeKey(kind);
      const fw = path.join(dir, `fw-${kind}.bin`);
      const out = path.join(dir, `fw-${kind}.signed.bin`);
      const pub = path.join(dir, `${kind}.pub.pem`);
      fs.writeFileSync(fw, firmwareBytes(20000));
      fs.writeFileSync(pub, k.publicPem);
      process.env.TINYOPS_TEST_OTA_KEY = k.privatePem;
      try {
        const signed = await runCli([
          'ota',
          'sign',
          fw,
          '--key-env',
          'TINYOPS_TEST_OTA_KEY',
          '--version',
          'v2.0.1',
          '--out',
          out,
          '--pad-header',
          '--header-size',
          '0x200',
          '--json',
        ]);
        expect(signed.code).toBe(0);
        expect(JSON.parse(signed.stdout)).toMatchObject({
          ok: true,
          version: '2.0.1',
          signature: kind,
        });
        // the key never appears in what the command prints
        const keyBody = k.privatePem.split('\n')[1];
        expect(signed.stdout + signed.stderr).not.toContain(keyBody);
      } finally {
        delete process.env.TINYOPS_TEST_OTA_KEY;
      }
      const ok = await runCli(['ota', 'verify', out, '--key', pub]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/valid MCUboot image, version 2\.0\.1/);
      const bytes = fs.readFileSync(out);
      bytes[0x300] ^= 0xff;
      fs.writeFileSync(out, bytes);
      const bad = await runCli(['ota', 'verify', out, '--key', pub]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/modified or corrupted/);
      fs.writeFileSync(out, bytes.subarray(0, 1000));
      const cut = await runCli(['ota', 'verify', out, '--key', pub]);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/truncated/);
    },
  );

  test('usage errors exit 2; a non-key file exits 1 with a clear message', async () => {
    expect((await runCli(['ota'])).code).toBe(2);
    expect((await runCli(['ota', 'sign', 'x.bin', '--version', '1.0.0', '--out', 'y'])).code).toBe(
      2,
    );
    const notKey = path.join(dir, 'not-a-key.pem');
    fs.writeFileSync(notKey, 'hello');
    const r = await runCli(['ota', 'verify', notKey, '--key', notKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a PEM private or public key/);
  });
});
