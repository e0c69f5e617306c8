/** ASCII of "0xNN" for every byte value, so formatting is table lookups into one buffer:
 * megabyte models make per-byte string work the whole cost of code generation. */
const HEX_ASCII = new Uint8Array(256 * 4);
for (let b = 0; b < 256; b++)
  HEX_ASCII.set(Buffer.from(`0x${b.toString(16).padStart(2, '0')}`, 'latin1'), b * 4);

/** The bytes as C initializer lines, `perLine` bytes a line, each line indented two spaces,
 * entries separated by ", " and lines ending in "," (none after the last byte). */
export function hexLines(bytes: Uint8Array, perLine = 12): string {
  const n = bytes.length;
  if (n === 0) return '';
  const lines = Math.ceil(n / perLine);
  const out = Buffer.allocUnsafe(n * 6 + lines * 3);
  let at = 0;
  let col = 0;
  for (let i = 0; i < n; i++) {
    if (col === 0) {
      out[at++] = 0x20;
      out[at++] = 0x20;
    }
    const h = bytes[i] * 4;
    out[at++] = HEX_ASCII[h];
    out[at++] = HEX_ASCII[h + 1];
    out[at++] = HEX_ASCII[h + 2];
    out[at++] = HEX_ASCII[h + 3];
    if (i === n - 1) break;
    out[at++] = 0x2c; // ','
    if (++col === perLine) {
      out[at++] = 0x0a;
      col = 0;
    } else {
      out[at++] = 0x20;
    }
  }
  return out.toString('latin1', 0, at);
}
