// MCUboot image format constants (bootutil/image.h; see shared/spec/mcuboot-image-format.md).
export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_STRUCT_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_INFO_SIZE = 4;

export const TLV = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  ECDSA_SIG: 0x22,
  ED25519: 0x24,
  SEC_CNT: 0x50,
} as const;

export const IMAGE_FLAGS = {
  PIC: 0x1,
  NON_BOOTABLE: 0x10,
  RAM_LOAD: 0x20,
  ROM_FIXED: 0x100,
} as const;

/** The last 16 bytes of a padded slot (boot magic for max-align 8). */
export const BOOT_MAGIC = Uint8Array.from([
  0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
]);

export interface Tlv {
  type: number;
  value: Uint8Array;
}

/** Serialises a TLV area: info header (magic, total length incl. itself) then the TLVs back to back. */
export function encodeTlvArea(magic: number, tlvs: Tlv[]): Uint8Array {
  const total = TLV_INFO_SIZE + tlvs.reduce((n, t) => n + 4 + t.value.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, magic, true);
  view.setUint16(2, total, true);
  let at = TLV_INFO_SIZE;
  for (const t of tlvs) {
    view.setUint16(at, t.type, true);
    view.setUint16(at + 2, t.value.length, true);
    out.set(t.value, at + 4);
    at += 4 + t.value.length;
  }
  return out;
}
