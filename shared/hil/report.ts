/** The hil-test report (schemas/hil-report.schema.json): what the device computed against the
 * host interpreter, its accuracy and its latency; constraint-gate reads it. */
import HIL_REPORT_SCHEMA from '../../schemas/hil-report.schema.json';
import type { LatencyStats } from './stats';

export { HIL_REPORT_SCHEMA };

export type HilBackendName = 'qemu' | 'serial';

export interface HilMismatch {
  sample: number;
  /** Where the sample came from: `file.npy[3]` or a file in a directory. */
  name: string;
  /** Element index in output 0. */
  index: number;
  /** null when one side has fewer elements. */
  device: number | null;
  host: number | null;
}

export interface HilReport {
  schemaVersion: 1;
  kind: 'hil';
  tool: { name: 'tinyops'; version: string };
  /** pass: every sample's output met the agreement bar; fail: it did not. */
  status: 'pass' | 'fail';
  board: string;
  backend: HilBackendName;
  link: string;
  /** How inputs reached the device: the harness's `db` commands over the link, or a host file
   * read through semihosting (`db-host`, on the emulator). */
  download: 'uart' | 'host-file';
  device: {
    name: string | null;
    profile: string | null;
    modelId: string | null;
    /** The TinyOps harness extension's version; null for a plain MLPerf Tiny port. */
    protocol: number | null;
  };
  firmware: { path: string; sha256: string };
  model: { path: string; sha256: string };
  dataset: { path: string; samples: number };
  agreement: {
    /** bytes: output 0's raw bytes (bit-exact); printed: the m-results values to 3 decimals. */
    mode: 'bytes' | 'printed';
    samples: number;
    /** Samples whose output equals the host interpreter's. */
    exact: number;
    exactFraction: number;
    /** The bar: the fraction of samples that must agree exactly for status pass. */
    required: number;
    top1: number;
    mismatchedElements: number;
    /** The first mismatches, by sample and output index. */
    mismatches: HilMismatch[];
  };
  /** Top-1 accuracy on the device and on the host, when the dataset has labels. */
  accuracy: { labelled: number; device: number; host: number } | null;
  latency: {
    /** instructions (QEMU -icount: a deterministic proxy, not cycles), cycles, or us. */
    unit: 'instructions' | 'cycles' | 'us';
    /** True when the figure is not time on real hardware. */
    proxy: boolean;
    /** The latency in milliseconds at the board's clock (instructions x 1 CPI for a proxy). */
    estimatedMs: LatencyStats | null;
    perInference: LatencyStats;
    samples: number;
  } | null;
  /** Host wall time of the run, and samples per second through the link (download + inference). */
  wallSeconds: number;
  samplesPerSecond: number;
}
