import { createHash, sign, verify } from 'node:crypto';
import { TinyOpsError } from '../errors';
import { keyHash, type ImageKey } from './keys';
import type { ImageVersion } from './version';
import {
  BOOT_MAGIC,
  encodeTlvArea,
  IMAGE_HEADER_STRUCT_SIZE,
  IMAGE_MAGIC,
  TLV,
  TLV_INFO_MAGIC,
  TLV_INFO_SIZE,
  TLV_PROT_INFO_MAGIC,
  type Tlv,
} from './format';

export interface SignOptions {
  version: ImageVersion;
  /** Bytes before the payload (ih_hdr_size); default 0x200. */
  headerSize?: number;
  /** Prepend headerSize filler bytes (0xff) to the binary; otherwise its first headerSize bytes
   * must be reserved (all 0x00 or all 0xff), as a Zephyr build with MCUboot support leaves them. */
  padHeader?: boolean;
  loadAddress?: number;
  flags?: number;
  /** Security counter for hardware rollback protection; goes in the protected TLV area. */
  securityCounter?: number;
  /** Pad the image to a slot of this many bytes and write the boot trailer (imgtool --pad). */
  padToSlot?: number;
  /** Flash write alignment for the trailer (1, 2, 4 or 8). */
  align?: number;
}

function fail(message: string, where: string, hint: string): never {
  throw new TinyOpsError('OTA_IMAGE', message, { where, hint });
}

/** Builds a signed MCUboot image from a raw firmware binary. */
export function signImage(
  firmware: Uint8Array,
  key: ImageKey,
  options: SignOptions,
  source = 'firmware',
): Uint8Array {
  if (!key.privateKey)
    throw new TinyOpsError('OTA_KEY', 'Signing needs a private key, but a public key was given', {
      hint: 'Pass the private PEM to sign; the public one is for `tinyops ota verify`.',
    });
  const headerSize = options.headerSize ?? 0x200;
  if (headerSize < IMAGE_HEADER_STRUCT_SIZE || headerSize > 0xffff)
    fail(
      `Header size ${headerSize} is out of range`,
      '--header-size',
      `Use ${IMAGE_HEADER_STRUCT_SIZE}..65535; 0x200 is the usual value.`,
    );
  let body: Uint8Array;
  if (options.padHeader) {
    body = new Uint8Array(headerSize + firmware.length).fill(0xff, 0, headerSize);
    body.set(firmware, headerSize);
  } else {
    if (firmware.length < headerSize)
      fail(
        `${source} is shorter than the ${headerSize}-byte header`,
        source,
        'Pass --pad-header to prepend the header space.',
      );
    const filler = firmware[0];
    if (
      (filler !== 0 && filler !== 0xff) ||
      firmware.subarray(0, headerSize).some((b) => b !== filler)
    )
      fail(
        `${source} does not start with ${headerSize} reserved bytes for the MCUboot header`,
        source,
        'Pass --pad-header to prepend the header, or build the firmware with header space reserved.',
      );
    body = Uint8Array.from(firmware);
  }
  const imageSize = body.length - headerSize;
  if (imageSize > 0xffffffff)
    fail(`${source} is too large for an MCUboot image`, source, 'Images hold at most 4 GiB.');

  const protectedTlvs: Tlv[] = [];
  if (options.securityCounter !== undefined) {
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, options.securityCounter, true);
    protectedTlvs.push({ type: TLV.SEC_CNT, value: v });
  }
  const protectedArea = protectedTlvs.length
    ? encodeTlvArea(TLV_PROT_INFO_MAGIC, protectedTlvs)
    : new Uint8Array(0);

  const header = new DataView(body.buffer, body.byteOffset, IMAGE_HEADER_STRUCT_SIZE);
  header.setUint32(0x00, IMAGE_MAGIC, true);
  header.setUint32(0x04, options.loadAddress ?? 0, true);
  header.setUint16(0x08, headerSize, true);
  header.setUint16(0x0a, protectedArea.length, true);
  header.setUint32(0x0c, imageSize, true);
  header.setUint32(0x10, options.flags ?? 0, true);
  header.setUint8(0x14, options.version.major);
  header.setUint8(0x15, options.version.minor);
  header.setUint16(0x16, options.version.revision, true);
  header.setUint32(0x18, options.version.build, true);
  header.setUint32(0x1c, 0, true);

  const hashed = concat(body, protectedArea);
  const digest = new Uint8Array(createHash('sha256').update(hashed).digest());
  // ed25519: MCUboot verifies the signature over the 32-byte digest; ECDSA: over the hash region
  // with SHA-256, i.e. the same digest (spec: "What is hashed and signed").
  const signature =
    key.kind === 'ed25519'
      ? new Uint8Array(sign(null, digest, key.privateKey))
      : new Uint8Array(sign('sha256', hashed, { key: key.privateKey, dsaEncoding: 'der' }));
  const tlvArea = encodeTlvArea(TLV_INFO_MAGIC, [
    { type: TLV.SHA256, value: digest },
    { type: TLV.KEYHASH, value: keyHash(key) },
    { type: key.kind === 'ed25519' ? TLV.ED25519 : TLV.ECDSA_SIG, value: signature },
  ]);
  const image = concat(hashed, tlvArea);
  return options.padToSlot === undefined
    ? image
    : padWithTrailer(image, options.padToSlot, options.align ?? 8);
}

/** imgtool --pad: fill the slot with 0xff and end it with the boot magic. */
function padWithTrailer(image: Uint8Array, slotSize: number, align: number): Uint8Array {
  if (![1, 2, 4, 8].includes(align))
    fail(`Alignment ${align} is not supported with a padded slot`, '--align', 'Use 1, 2, 4 or 8.');
  // Trailer: swap info/copy-done/image-ok flags (one max-align slot each), then the 16-byte magic.
  const trailer = 3 * 8 + BOOT_MAGIC.length;
  if (image.length + trailer > slotSize)
    fail(
      `The signed image (${image.length} bytes) plus trailer does not fit a ${slotSize}-byte slot`,
      '--pad',
      'Give the real slot size, or a smaller firmware.',
    );
  const out = new Uint8Array(slotSize).fill(0xff);
  out.set(image);
  out.set(BOOT_MAGIC, slotSize - BOOT_MAGIC.length);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export interface ParsedImage {
  headerSize: number;
  loadAddress: number;
  protectedTlvSize: number;
  imageSize: number;
  flags: number;
  version: ImageVersion;
  /** [0, hdr + img + protected): the bytes the digest covers. */
  hashRegionEnd: number;
  protectedTlvs: Tlv[];
  tlvs: Tlv[];
  /** Offset just past the unprotected TLV area (a padded slot continues with 0xff and the trailer). */
  end: number;
}

/** Parses an image's header and TLV areas, checking every offset against the file's length. */
export function parseImage(bytes: Uint8Array, source = 'image'): ParsedImage {
  const truncated = (what: string): never =>
    fail(
      `${source} is truncated: ${what} lies beyond its ${bytes.length} bytes`,
      source,
      'Re-download or re-sign the image; it is incomplete.',
    );
  if (bytes.length < IMAGE_HEADER_STRUCT_SIZE) truncated('the 32-byte image header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== IMAGE_MAGIC)
    fail(
      `${source} is not an MCUboot image (magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x96f3b83d)`,
      `${source} @ 0x0`,
      'Give a file made by `tinyops ota sign` or imgtool.',
    );
  const headerSize = view.getUint16(0x08, true);
  const protectedTlvSize = view.getUint16(0x0a, true);
  const imageSize = view.getUint32(0x0c, true);
  if (headerSize < IMAGE_HEADER_STRUCT_SIZE)
    fail(
      `${source} has an invalid header size ${headerSize}`,
      `${source} @ 0x8`,
      'The header is corrupt; re-sign the image.',
    );
  const payloadEnd = headerSize + imageSize;
  if (payloadEnd > bytes.length) truncated(`the ${imageSize}-byte payload`);
  const readArea = (
    at: number,
    expectMagic: number,
    what: string,
  ): { tlvs: Tlv[]; end: number } => {
    if (at + TLV_INFO_SIZE > bytes.length) truncated(`the ${what} TLV area`);
    const m = view.getUint16(at, true);
    const total = view.getUint16(at + 2, true);
    if (m !== expectMagic)
      fail(
        `${source} has no ${what} TLV area at 0x${at.toString(16)} (magic 0x${m.toString(16)}, expected 0x${expectMagic.toString(16)})`,
        `${source} @ 0x${at.toString(16)}`,
        'The image is corrupt or truncated; re-sign it.',
      );
    if (at + total > bytes.length) truncated(`the ${what} TLV area (${total} bytes)`);
    const tlvs: Tlv[] = [];
    let p = at + TLV_INFO_SIZE;
    while (p < at + total) {
      if (p + 4 > at + total)
        fail(
          `${source}: a TLV header crosses the end of the ${what} area`,
          `${source} @ 0x${p.toString(16)}`,
          'The image is corrupt; re-sign it.',
        );
      const type = view.getUint16(p, true);
      const len = view.getUint16(p + 2, true);
      if (p + 4 + len > at + total)
        fail(
          `${source}: TLV 0x${type.toString(16)} overruns the ${what} area`,
          `${source} @ 0x${p.toString(16)}`,
          'The image is corrupt; re-sign it.',
        );
      tlvs.push({ type, value: bytes.slice(p + 4, p + 4 + len) });
      p += 4 + len;
    }
    return { tlvs, end: at + total };
  };
  let protectedTlvs: Tlv[] = [];
  if (protectedTlvSize > 0) {
    const area = readArea(payloadEnd, TLV_PROT_INFO_MAGIC, 'protected');
    if (area.end - payloadEnd !== protectedTlvSize)
      fail(
        `${source}: protected TLV area length disagrees with the header`,
        `${source} @ 0x${payloadEnd.toString(16)}`,
        'The image is corrupt; re-sign it.',
      );
    protectedTlvs = area.tlvs;
  }
  const hashRegionEnd = payloadEnd + protectedTlvSize;
  const { tlvs, end } = readArea(hashRegionEnd, TLV_INFO_MAGIC, 'TLV info');
  return {
    headerSize,
    loadAddress: view.getUint32(0x04, true),
    protectedTlvSize,
    imageSize,
    flags: view.getUint32(0x10, true),
    version: {
      major: view.getUint8(0x14),
      minor: view.getUint8(0x15),
      revision: view.getUint16(0x16, true),
      build: view.getUint32(0x18, true),
    },
    hashRegionEnd,
    protectedTlvs,
    tlvs,
    end,
  };
}

export interface VerifyResult {
  image: ParsedImage;
  /** The SHA-256 of the hash region, hex. */
  digest: string;
  keyHash: string;
  signatureKind: ImageKey['kind'];
}

/** Verifies an image as MCUboot does: digest, key hash, signature. Throws a TinyOpsError saying
 * which check failed. */
export function verifyImage(bytes: Uint8Array, key: ImageKey, source = 'image'): VerifyResult {
  const image = parseImage(bytes, source);
  const find = (type: number) => image.tlvs.find((t) => t.type === type);
  const hashed = bytes.subarray(0, image.hashRegionEnd);
  const digest = new Uint8Array(createHash('sha256').update(hashed).digest());
  const hashTlv = find(TLV.SHA256);
  if (!hashTlv)
    fail(`${source} has no SHA-256 TLV`, source, 'Sign it with `tinyops ota sign` or imgtool.');
  if (!Buffer.from(hashTlv.value).equals(Buffer.from(digest)))
    fail(
      `${source}: the SHA-256 of header and payload does not match the image's hash TLV (the image was modified or corrupted)`,
      source,
      'Re-download the image or re-sign the firmware.',
    );
  const expectedKeyHash = keyHash(key);
  const keyHashTlv = find(TLV.KEYHASH);
  if (!keyHashTlv)
    fail(`${source} has no key-hash TLV`, source, 'Sign it with `tinyops ota sign` or imgtool.');
  if (!Buffer.from(keyHashTlv.value).equals(Buffer.from(expectedKeyHash)))
    fail(
      `${source} was signed with a different key (key hash ${hex(keyHashTlv.value).slice(0, 16)}…, this key ${hex(expectedKeyHash).slice(0, 16)}…)`,
      source,
      'Verify with the public key matching the signing key.',
    );
  const sigType = key.kind === 'ed25519' ? TLV.ED25519 : TLV.ECDSA_SIG;
  const sigTlv = find(sigType);
  if (!sigTlv)
    fail(
      `${source} has no ${key.kind} signature TLV (0x${sigType.toString(16)})`,
      source,
      'Verify with a key of the type the image was signed with.',
    );
  const ok =
    key.kind === 'ed25519'
      ? verify(null, digest, key.publicKey, sigTlv.value)
      : verify('sha256', hashed, { key: key.publicKey, dsaEncoding: 'der' }, sigTlv.value);
  if (!ok)
    fail(
      `${source}: the ${key.kind} signature does not verify`,
      source,
      'The signature TLV was altered, or the image was signed by another key.',
    );
  return { image, digest: hex(digest), keyHash: hex(expectedKeyHash), signatureKind: key.kind };
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
