/**
 * Splits a device's byte stream into lines the way the MLPerf Tiny runner reads them (split on
 * '\n', drop '\r' and '\0'), with a bound on a line's length: a device that never sends a newline
 * (a wrong baud rate, a crashed firmware spewing memory) cannot grow the host's buffer without end.
 */
export type LineEvent =
  | { kind: 'line'; text: string }
  /** A line over the bound: its first bytes, for the message. */
  | { kind: 'overlong'; head: string; bytes: number };

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private overflowed = false;

  constructor(private maxLineBytes: number) {}

  setMaxLineBytes(n: number): void {
    this.maxLineBytes = n;
  }

  /** Feeds received bytes; returns the complete lines (and overlong-line reports) they finish. */
  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
      this.append(piece, out);
      if (nl < 0) break;
      if (!this.overflowed) out.push({ kind: 'line', text: clean(Buffer.concat(this.parts)) });
      this.parts = [];
      this.pending = 0;
      this.overflowed = false;
      start = nl + 1;
    }
    return out;
  }

  private append(piece: Buffer, out: LineEvent[]): void {
    if (this.overflowed || piece.length === 0) return;
    this.parts.push(piece);
    this.pending += piece.length;
    if (this.pending > this.maxLineBytes) {
      const head = clean(Buffer.concat(this.parts).subarray(0, 48));
      out.push({ kind: 'overlong', head, bytes: this.pending });
      this.parts = [];
      this.pending = 0;
      this.overflowed = true; // drop the rest of this line
    }
  }
}

function clean(b: Buffer): string {
  return b.toString('latin1').replace(/[\r\0]/g, '');
}

/** True when a line holds only printable ASCII (and tabs): what a harness or a log prints. */
export function isText(line: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(line);
}

/** A line shown in a message: printable characters kept, others as \xNN, cut to 60. */
export function showLine(line: string): string {
  const shown = line
    .slice(0, 60)
    .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return line.length > 60 ? `${shown}...` : shown;
}
