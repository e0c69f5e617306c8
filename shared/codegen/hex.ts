/** "0x00, " .. "0xff, ": formatting from a table is ~10x faster than per-byte toString(16). */
const HEX = Array.from({ length: 256 }, (_, b) => `0x${b.toString(16).padStart(2, '0')}`);

/** The bytes as C initializer lines, `perLine` bytes a line, each line indented two spaces. */
export function hexLines(bytes: Uint8Array, perLine = 12): string {
  const lines: string[] = new Array(Math.ceil(bytes.length / perLine));
  const row: string[] = new Array(perLine);
  for (let line = 0, at = 0; at < bytes.length; line++, at += perLine) {
    const end = Math.min(at + perLine, bytes.length);
    row.length = end - at;
    for (let i = at; i < end; i++) row[i - at] = HEX[bytes[i]];
    lines[line] = `  ${row.join(', ')}${end < bytes.length ? ',' : ''}`;
  }
  return lines.join('\n');
}
