/**
 * hil-test: streams a dataset through firmware on a device (QEMU or a board on a serial port),
 * compares every output with the host interpreter (bit-exact for int8), and measures accuracy and
 * latency. Failures (a crash, a hang, noise, a model that is not the one given) stop the run with
 * a message naming the command and the sample; the device is always closed (QEMU never left over).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import { loadModelFile } from '../tflite/load';
import type { Tensor } from '../tflite/ir';
import { Interpreter, typedView } from '../interp';
import {
  argmax,
  checkDatasetAgainstTensor,
  loadDataset,
  sampleToTensorBytes,
  TENSOR_DTYPE,
} from '../data';
import { writeNpyFile } from '../data/npy';
import type { DType } from '../data/ndarray';
import { NO_PROGRESS, type ProgressReporter } from '../data/progress';
import { findBoard } from '../analyze/boards';
import { parseElf32, EM_ARM } from '../elf/elf';
import { functionSymbols, type FunctionSymbol } from '../elf/symbols';
import { TINYOPS_VERSION } from '../version';
import { hilError } from './errors';
import { runSample } from './sample';
import { compare, dequantized } from './agreement';
import type { HilBackendName, HilReport } from './report';
import { openDevice, type DeviceIdentity, type SerialBackendOptions } from './session';
import { latencyStats, type LatencyStats } from './stats';

/** Bytes per `db HEX%` command: "db " + 76 hex digits = 79 characters, under the 80 kept. */
export const MAX_CHUNK_BYTES = 38;
export interface HilOptions {
  backend: HilBackendName;
  firmware: string;
  board: string;
  model: string;
  dataset: string;
  labels?: string;
  serial?: SerialBackendOptions;
  /** Stream at most this many samples. */
  limit?: number;
  /** Per-inference deadline (`infer` reply). */
  sampleTimeoutMs?: number;
  /** Deadline of the other commands' replies. */
  commandTimeoutMs?: number;
  bootTimeoutMs?: number;
  chunkBytes?: number;
  /** How inputs reach the device: `auto` reads them from a host file through semihosting when
   * the device offers it on the qemu backend (`db-host`), else over the UART; `uart` always
   * uses the harness's `db` commands. */
  download?: 'auto' | 'uart';
  /** Fraction of samples that must match the host exactly; default 1 (every one). */
  requiredAgreement?: number;
  qemuBinary?: string;
  /** Write the device's output 0 for every sample here, as .npy ([N, ...output shape]; the raw
   * values with the TinyOps harness, the printed float values with a plain MLPerf Tiny port). */
  outputsPath?: string;
  progress?: (total: number) => ProgressReporter;
  onLog?: (line: string) => void;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The firmware's bytes (for its hash) and function symbols (to name where a crash happened). */
function readFirmware(path: string): { bytes: Uint8Array; symbols: FunctionSymbol[] } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(path));
  } catch {
    throw new TinyOpsError('HIL_NO_FIRMWARE', `Firmware not found: ${path}`, {
      where: '--firmware',
      hint: 'Give the firmware.elf the cross-compile step wrote (its build-report.json lists it).',
    });
  }
  const elf = parseElf32(bytes, path);
  if (elf.machine !== EM_ARM)
    throw new TinyOpsError(
      'HIL_NO_FIRMWARE',
      `${path} is not an Arm ELF (e_machine ${elf.machine})`,
      {
        where: '--firmware',
        hint: 'Give the firmware built for the board (arm-none-eabi), not a host executable.',
      },
    );
  return { bytes, symbols: functionSymbols(bytes, elf) };
}

/** Checks the firmware's handshake against the model given: the same input and output sizes. */
function checkDeviceModel(
  identity: DeviceIdentity,
  input: Tensor,
  output: Tensor,
  inBytes: number,
  outBytes: number,
  firmware: string,
): void {
  const h = identity.hello;
  if (!h) return;
  const side = (
    what: string,
    dev: { type: string; bytes: number } | undefined,
    t: Tensor,
    bytes: number,
  ) => {
    if (dev && (dev.bytes !== bytes || dev.type !== t.type.toLowerCase()))
      throw hilError(
        'HIL_MISMATCH',
        `The firmware's model ${what} is ${dev.type} ${dev.bytes} bytes but the --model's is ${t.type.toLowerCase()} ${bytes} bytes [${t.shape.join(', ')}]`,
        {
          where: firmware,
          hint: 'Give the .tflite the firmware was built with, or rebuild the firmware with this model.',
        },
      );
  };
  side('input', h.input, input, inBytes);
  side('output', h.output, output, outBytes);
  if (h.db !== undefined && h.db < inBytes)
    throw hilError(
      'HIL_MISMATCH',
      `The firmware's download buffer holds ${h.db} bytes, the input needs ${inBytes}`,
      {
        where: firmware,
        hint: 'Build with a larger ARENA_SIZE (tinyops build sizes it for the harness when no self-test input is given).',
      },
    );
}

export async function runHil(o: HilOptions): Promise<HilReport> {
  const started = Date.now();
  const board = findBoard(o.board);
  const { bytes: firmwareBytes, symbols } = readFirmware(o.firmware);
  const { model, bytes: modelBytes } = loadModelFile(o.model);
  const sg = model.subgraphs[0];
  if (sg.inputs.length !== 1)
    throw new TinyOpsError(
      'HIL_MODEL',
      `hil-test streams single-input models; ${o.model} has ${sg.inputs.length} inputs`,
      {
        where: o.model,
        hint: 'The MLPerf Tiny harness downloads one input tensor per inference.',
      },
    );
  const input = sg.tensors[sg.inputs[0]];
  const output = sg.tensors[sg.outputs[0]];
  const interp = new Interpreter(model, { source: o.model });
  const inBytes = interp.inputs[0].byteLength;
  const outBytes = interp.outputs[0].byteLength;
  const outCount = output.shape.reduce((a, b) => a * b, 1);
  const ds = loadDataset(o.dataset, { shape: input.shape, labels: o.labels });
  checkDatasetAgainstTensor(ds, input, { numClasses: outCount > 1 ? outCount : undefined });
  const count = o.limit !== undefined ? Math.min(o.limit, ds.count) : ds.count;
  const chunk = o.chunkBytes ?? MAX_CHUNK_BYTES;
  if (!(Number.isInteger(chunk) && chunk >= 1 && chunk <= MAX_CHUNK_BYTES))
    throw new TinyOpsError(
      'USAGE',
      `The download chunk must be 1..${MAX_CHUNK_BYTES} bytes, got ${chunk}`,
      {
        hint: `The harness keeps 80 characters of a command: "db " and ${MAX_CHUNK_BYTES} bytes as hex fit.`,
      },
    );
  const commandMs = o.commandTimeoutMs ?? 5000;
  const sampleMs = o.sampleTimeoutMs ?? 30_000;

  const session = await openDevice({
    backend: o.backend,
    firmware: o.firmware,
    board: board.id,
    serial: o.serial,
    bootTimeoutMs: o.bootTimeoutMs ?? (o.backend === 'qemu' ? 10_000 : 30_000),
    commandTimeoutMs: commandMs,
    qemuBinary: o.qemuBinary,
    link: { symbols, onLog: o.onLog },
    onLine: o.onLog,
  });
  const { link, identity } = session;
  const extended = identity.hello !== null && identity.hello.protocol >= 1;
  // Inputs through a host file when the emulated device can read one (db-host): the emulated
  // UART takes about 30 KB/s, which makes a 27 KB image the slow part of every sample. The
  // command keeps 80 characters: "db-host N " and the file's path must fit.
  const useHostFile =
    extended &&
    o.backend === 'qemu' &&
    identity.hello!.hostio === 'semihosting' &&
    o.download !== 'uart' &&
    path.join(os.tmpdir(), 'tinyops-hil-XXXXXX', 'in.bin').length <= 56;
  let hostDir: string | null = null;
  const hostOutputs: ArrayLike<number>[] = [];
  const deviceOutputs: ArrayLike<number>[] = [];
  const latencies: number[] = [];
  const progress = o.progress?.(count) ?? NO_PROGRESS;
  try {
    if (useHostFile) hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-hil-'));
    const hostFile = hostDir ? path.join(hostDir, 'in.bin') : null;
    checkDeviceModel(identity, input, output, inBytes, outBytes, o.firmware);
    // A results line is ~8 characters per value; output-hex two per byte.
    link.setMaxLineBytes(Math.max(2 * outBytes, 8 * outCount) + 256);
    for (let i = 0; i < count; i++) {
      const bytes = sampleToTensorBytes(ds.sample(i), input, ds.sampleName(i));
      const host = interp.invoke([bytes])[0].slice();
      const r = await runSample(link, bytes, {
        hostFile,
        chunk,
        extended,
        outType: output.type,
        outBytes,
        sampleMs,
        commandMs,
        context: `sample ${i}, ${ds.sampleName(i)}`,
      });
      hostOutputs.push(extended ? typedView(host, output.type) : dequantized(host, output));
      deviceOutputs.push(r.device);
      if (r.latency !== null) latencies.push(r.latency);
      progress.update(i + 1);
    }
    progress.finish();
  } finally {
    await session.transport.close();
    if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true });
  }

  if (o.outputsPath) writeDeviceOutputs(o.outputsPath, deviceOutputs, output, extended);
  const agreement = compare(hostOutputs, deviceOutputs, extended ? 'bytes' : 'printed', (i) =>
    ds.sampleName(i),
  );
  const required = o.requiredAgreement ?? 1;
  const labels = ds.labels ? Array.from(ds.labels.subarray(0, count)) : null;
  const top1 = (outs: ArrayLike<number>[]) =>
    outs.filter((v, i) => argmax(v) === labels![i]).length / count;
  const unit = extended ? (identity.hello!.counter as 'instructions' | 'cycles' | 'us') : 'us';
  const perInference = latencyStats(latencies);
  const toMs = (v: number) => (unit === 'us' ? v / 1000 : v / (board.clockMhz * 1000));
  const wallSeconds = (Date.now() - started) / 1000;
  return {
    schemaVersion: 1,
    kind: 'hil',
    tool: { name: 'tinyops', version: TINYOPS_VERSION },
    status: agreement.exactFraction >= required ? 'pass' : 'fail',
    board: board.id,
    backend: o.backend,
    link: link.description,
    download: useHostFile ? 'host-file' : 'uart',
    device: {
      name: identity.name,
      profile: identity.profile,
      modelId: identity.modelId,
      protocol: identity.hello?.protocol ?? null,
    },
    firmware: { path: o.firmware, sha256: sha256(firmwareBytes) },
    model: { path: o.model, sha256: sha256(modelBytes) },
    dataset: { path: o.dataset, samples: count },
    agreement: { ...agreement, required },
    accuracy: labels
      ? { labelled: count, device: top1(deviceOutputs), host: top1(hostOutputs) }
      : null,
    latency: perInference
      ? {
          unit,
          proxy: unit === 'instructions' || board.emulated === true,
          estimatedMs: mapStats(perInference, toMs),
          perInference,
          samples: latencies.length,
        }
      : null,
    wallSeconds,
    samplesPerSecond: wallSeconds > 0 ? count / wallSeconds : 0,
  };
}

function writeDeviceOutputs(
  file: string,
  outputs: ArrayLike<number>[],
  t: Tensor,
  raw: boolean,
): void {
  const per = outputs[0]?.length ?? 0;
  const dtype: DType = raw ? (TENSOR_DTYPE[t.type] ?? 'float32') : 'float32';
  const data =
    dtype === 'float32'
      ? new Float32Array(outputs.length * per)
      : new Float64Array(outputs.length * per);
  outputs.forEach((v, i) => data.set(Array.from(v), i * per));
  writeNpyFile(file, { dtype, shape: [outputs.length, ...(raw ? t.shape.slice(1) : [per])], data });
}

function mapStats(s: LatencyStats, f: (v: number) => number): LatencyStats {
  return { min: f(s.min), median: f(s.median), p95: f(s.p95), max: f(s.max), mean: f(s.mean) };
}
