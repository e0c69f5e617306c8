/** A byte link to a device running the harness: QEMU's UART on stdio, or a tty. */
export interface TransportEnd {
  code: number | null;
  signal: string | null;
}

export interface Transport {
  /** For messages: "QEMU mps2-an386 (pid 1234)", "/dev/ttyACM0 at 115200 baud". */
  readonly description: string;
  /** True when the far side is flow-controlled (QEMU reads its UART input only as the firmware
   * takes it), so commands can be sent ahead of their replies without loss. */
  readonly pipelined: boolean;
  write(text: string): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  /** Settles when the device side ends: QEMU exits, the tty goes away. */
  readonly ended: Promise<TransportEnd>;
  /** Ends the link and whatever it started (QEMU is killed and reaped); safe to call twice. */
  close(): Promise<void>;
  /** The last lines the emulator or tool printed on its own stderr, for messages. */
  diagnostics(): string;
}
