/** One sample through the device over the harness protocol: download (the `db` commands or a
 * host file), `infer 1 0`, and, from a TinyOps harness, the raw output and its counters. */
import * as fs from 'node:fs';
import type { Tensor } from '../tflite/ir';
import { typedView } from '../interp';
import { hilError } from './errors';
import type { HarnessLink } from './link';
import { errorLines, parseCounters, parseLaps, parseOutputHex, parseResults } from './replies';

export interface SampleResult {
  /** Output 0 as numbers: the raw typed values (bytes mode) or the printed values. */
  device: ArrayLike<number>;
  latency: number | null;
}

function hexChunks(bytes: Uint8Array, chunk: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += chunk)
    out.push(`db ${Buffer.from(bytes.subarray(i, i + chunk)).toString('hex')}`);
  return out;
}

/** One sample through the device: download, infer once without warm-up, read the output. */
export async function runSample(
  link: HarnessLink,
  bytes: Uint8Array,
  o: {
    /** A host file the device reads the input from (db-host), instead of `db` over the UART. */
    hostFile: string | null;
    chunk: number;
    extended: boolean;
    outType: Tensor['type'];
    outBytes: number;
    sampleMs: number;
    commandMs: number;
    context: string;
  },
): Promise<SampleResult> {
  if (o.hostFile) fs.writeFileSync(o.hostFile, bytes);
  const download = o.hostFile
    ? [{ command: `db-host ${bytes.length} ${o.hostFile}`, timeoutMs: o.commandMs }]
    : [
        { command: `db load ${bytes.length}`, timeoutMs: o.commandMs },
        ...hexChunks(bytes, o.chunk).map((command) => ({ command, timeoutMs: o.commandMs })),
      ];
  const specs = [
    ...download,
    { command: 'infer 1 0', timeoutMs: o.sampleMs },
    ...(o.extended
      ? [
          { command: 'output-hex', timeoutMs: o.commandMs },
          { command: 'counters', timeoutMs: o.commandMs },
        ]
      : []),
  ];
  const replies = await link.commands(specs, o.context);
  const n = download.length;
  const deviceError = (reply: string[], command: string) => {
    const errs = errorLines(reply);
    if (errs.length)
      throw hilError(
        'HIL_DEVICE_ERROR',
        `The device refused \`${command}%\` (${o.context}): ${errs.join(' ')}`,
        {
          hint: 'The firmware reported the error itself; see the message for which check failed.',
        },
      );
  };
  for (let i = 0; i < n; i++) deviceError(replies[i], i === 0 ? specs[0].command : 'db HEX');
  const loadDone = replies.slice(0, n).flat();
  if (!loadDone.includes('m-load-done'))
    throw hilError(
      'HIL_PROTOCOL',
      `The device took ${bytes.length} bytes without \`m-load-done\` (${o.context})`,
      {
        hint: 'The device expected a different byte count: check that the firmware was built for this model.',
      },
    );
  const inferReply = replies[n];
  deviceError(inferReply, 'infer 1 0');
  const results = parseResults(inferReply);
  if (!results)
    throw hilError(
      'HIL_PROTOCOL',
      `The device answered \`infer 1 0%\` without \`m-results-[...]\` (${o.context}): ${inferReply.join(' | ')}`,
      {
        hint: 'Every MLPerf Tiny port prints m-results after an inference; check the port.',
      },
    );
  if (!o.extended) {
    const laps = parseLaps(inferReply);
    return { device: results, latency: laps.length >= 2 ? laps[1] - laps[0] : null };
  }
  const raw = parseOutputHex(replies[n + 1]);
  if (!raw || raw.length !== o.outBytes)
    throw hilError(
      'HIL_PROTOCOL',
      `The device's \`output-hex%\` reply (${o.context}) is not ${o.outBytes} bytes of hex: ${replies[n + 1].join(' | ')}`,
      {
        hint: 'The firmware and the model disagree on the output size; rebuild the firmware with this model.',
      },
    );
  const counters = parseCounters(replies[n + 2]);
  return {
    device: typedView(raw, o.outType),
    latency: counters && counters.infers === 1 ? counters.total : null,
  };
}
