import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliCommand, CliIO } from '../types';
import { parseCommandLine } from '../args';
import { TinyOpsError, UsageError } from '../../errors';
import { writeFileAtomic } from '../../fsutil/atomic';
import { loadKey } from '../../ota/keys';
import { signImage, verifyImage, hex } from '../../ota/image';
import { formatImageVersion, parseImageVersion } from '../../ota/version';
import { buildManifest, readManifest, reportFigures, serializeManifest } from '../../ota/manifest';
import { publishRelease, promoteRollout } from '../../ota/release';
import type { MqttTarget } from '../../ota/publish/mqtt';

const USAGE = [
  'tinyops ota sign FIRMWARE (--key KEY.pem | --key-env VAR) --version V --out FILE [--header-size N] [--pad-header] [--align N] [--pad SLOT_SIZE] [--load-addr N] [--security-counter N|auto] [--json]',
  '  tinyops ota verify IMAGE (--key KEY.pem | --key-env VAR) [--json]',
  '  tinyops ota manifest IMAGE --key PUB.pem --board BOARD --out manifest.json [--model FILE] [--model-version V] [--report FILE]... [--release-id ID] [--image-url URL] [--stages 1,10,50,100] [--min-reports N] [--min-success F] [--max-crash F] [--max-latency-regression F] [--baseline-latency MS] [--commit SHA] [--ref REF] [--repository OWNER/NAME] [--run-id ID] [--json]',
  '  tinyops ota publish --manifest FILE --image FILE [--model FILE] [--dir DIR] [--github-release TAG [--repository OWNER/NAME] [--api-url URL] [--token-env VAR]] [--mqtt-url URL [--mqtt-prefix P]] [--previous-manifest FILE] [--allow-downgrade] [--json]',
  '  tinyops ota promote --manifest FILE --mqtt-url URL [--mqtt-prefix P] [--window SECONDS] [--json]',
].join('\n');

/** A number in decimal or 0x hex (header sizes and addresses are usually written in hex). */
function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(value))
    throw new UsageError(`--${name} takes a whole number (decimal or 0x hex), got "${value}".`);
  return Number(value);
}

function fraction(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n =
    Number(value.endsWith('%') ? value.slice(0, -1) : value) / (value.endsWith('%') ? 100 : 1);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} takes a fraction such as 0.95 or 95%, got "${value}".`);
  return n;
}

function readInput(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new TinyOpsError('FILE_MISSING', `${what} not found or unreadable: ${file}`, {
      where: file,
      hint: 'Check the path.',
    });
  }
}

function keyFrom(values: { key?: string; 'key-env'?: string }) {
  if (values.key === undefined && values['key-env'] === undefined)
    throw new UsageError('--key KEY.pem or --key-env VAR is required.');
  if (values.key !== undefined && values['key-env'] !== undefined)
    throw new UsageError('Give --key or --key-env, not both.');
  return loadKey({ file: values.key, envName: values['key-env'] });
}

function mqttTarget(values: {
  'mqtt-url'?: string;
  'mqtt-prefix'?: string;
}): MqttTarget | undefined {
  if (!values['mqtt-url']) return undefined;
  return {
    url: values['mqtt-url'],
    prefix: values['mqtt-prefix'],
    username: process.env.MQTT_USERNAME || undefined,
    password: process.env.MQTT_PASSWORD || undefined,
  };
}

async function sign(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      key: { type: 'string' },
      'key-env': { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
      'header-size': { type: 'string' },
      'pad-header': { type: 'boolean' },
      align: { type: 'string' },
      pad: { type: 'string' },
      'load-addr': { type: 'string' },
      'security-counter': { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 1, max: 1, names: 'FIRMWARE' },
  );
  if (!values.version) throw new UsageError('--version is required (e.g. 1.2.3 or v1.2.3+4).');
  if (!values.out) throw new UsageError('--out is required.');
  const align = numberOption('align', values.align);
  if (align !== undefined && ![1, 2, 4, 8, 16, 32].includes(align))
    throw new UsageError(`--align must be 1, 2, 4, 8, 16 or 32, got ${align}.`);
  const version = parseImageVersion(values.version);
  const sc = values['security-counter'];
  const securityCounter =
    sc === 'auto'
      ? ((version.major << 24) | (version.minor << 16) | version.revision) >>> 0
      : numberOption('security-counter', sc);
  const key = keyFrom(values);
  const firmware = readInput(positionals[0], 'Firmware');
  const image = signImage(
    firmware,
    key,
    {
      version,
      headerSize: numberOption('header-size', values['header-size']),
      padHeader: values['pad-header'],
      loadAddress: numberOption('load-addr', values['load-addr']),
      securityCounter,
      padToSlot: numberOption('pad', values.pad),
      align,
    },
    positionals[0],
  );
  writeFileAtomic(values.out, image);
  const checked = verifyImage(image, key, values.out);
  const summary = {
    ok: true,
    out: values.out,
    bytes: image.length,
    version: formatImageVersion(version),
    signature: key.kind,
    digest: checked.digest,
    keyHash: checked.keyHash,
  };
  io.stdout(
    values.json
      ? JSON.stringify(summary, null, 2)
      : `Signed ${positionals[0]} -> ${values.out}: version ${summary.version}, ${key.kind}, ${image.length} bytes, SHA-256 ${checked.digest}`,
  );
  return 0;
}

async function verify(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { key: { type: 'string' }, 'key-env': { type: 'string' }, json: { type: 'boolean' } },
    { min: 1, max: 1, names: 'IMAGE' },
  );
  const key = keyFrom(values);
  const r = verifyImage(readInput(positionals[0], 'Image'), key, positionals[0]);
  const summary = {
    ok: true,
    image: positionals[0],
    version: formatImageVersion(r.image.version),
    headerSize: r.image.headerSize,
    imageSize: r.image.imageSize,
    loadAddress: r.image.loadAddress,
    flags: r.image.flags,
    signature: r.signatureKind,
    digest: r.digest,
    keyHash: r.keyHash,
    protectedTlvs: r.image.protectedTlvs.map((t) => ({ type: t.type, value: hex(t.value) })),
  };
  io.stdout(
    values.json
      ? JSON.stringify(summary, null, 2)
      : `${positionals[0]}: valid MCUboot image, version ${summary.version}, ${summary.imageSize}-byte payload, ${r.signatureKind} signature OK, SHA-256 ${r.digest}`,
  );
  return 0;
}

async function manifest(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      key: { type: 'string' },
      'key-env': { type: 'string' },
      board: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      'model-version': { type: 'string' },
      report: { type: 'string', multiple: true },
      'release-id': { type: 'string' },
      'image-url': { type: 'string' },
      stages: { type: 'string' },
      'min-reports': { type: 'string' },
      'min-success': { type: 'string' },
      'max-crash': { type: 'string' },
      'max-latency-regression': { type: 'string' },
      'baseline-latency': { type: 'string' },
      commit: { type: 'string' },
      ref: { type: 'string' },
      repository: { type: 'string' },
      'run-id': { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 1, max: 1, names: 'IMAGE' },
  );
  if (!values.board) throw new UsageError('--board is required.');
  if (!values.out) throw new UsageError('--out is required.');
  const stages = values.stages?.split(',').map((s) => Number(s.trim().replace(/%$/, '')));
  if (stages?.some((s) => Number.isNaN(s)))
    throw new UsageError(`--stages takes percentages like 1,10,50,100, got "${values.stages}".`);
  const baseline =
    values['baseline-latency'] === undefined ? undefined : Number(values['baseline-latency']);
  if (baseline !== undefined && !(baseline > 0))
    throw new UsageError(
      `--baseline-latency takes milliseconds, got "${values['baseline-latency']}".`,
    );
  const health = Object.fromEntries(
    Object.entries({
      minUpdateSuccessRate: fraction('min-success', values['min-success']),
      maxCrashRate: fraction('max-crash', values['max-crash']),
      maxLatencyRegression: fraction('max-latency-regression', values['max-latency-regression']),
      baselineLatencyMs: baseline,
    }).filter(([, v]) => v !== undefined),
  );
  const env = process.env;
  const m = buildManifest({
    image: readInput(positionals[0], 'Image'),
    imageFile: positionals[0],
    imageUrl: values['image-url'],
    key: keyFrom(values),
    board: values.board,
    releaseId: values['release-id'],
    model: values.model
      ? {
          file: values.model,
          bytes: readInput(values.model, 'Model'),
          version: values['model-version'] ?? null,
        }
      : undefined,
    reports: reportFigures(values.report ?? []),
    provenance: {
      commit: values.commit ?? env.GITHUB_SHA ?? null,
      ref: values.ref ?? env.GITHUB_REF ?? null,
      repository: values.repository ?? env.GITHUB_REPOSITORY ?? null,
      runId: values['run-id'] ?? env.GITHUB_RUN_ID ?? null,
      runAttempt: env.GITHUB_RUN_ATTEMPT ?? null,
      workflow: env.GITHUB_WORKFLOW ?? null,
    },
    rollout: {
      stages,
      minReportsPerStage:
        values['min-reports'] === undefined
          ? undefined
          : numberOption('min-reports', values['min-reports']),
      health,
    },
  });
  writeFileAtomic(values.out, serializeManifest(m));
  io.stdout(
    values.json
      ? JSON.stringify(m, null, 2)
      : `Wrote ${values.out}: release ${m.releaseId}, ${m.board} ${m.firmware.version}, rollout ${m.rollout.stages.join('% -> ')}%`,
  );
  return 0;
}

async function publish(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandLine(
    args,
    {
      manifest: { type: 'string' },
      image: { type: 'string' },
      model: { type: 'string' },
      dir: { type: 'string' },
      'github-release': { type: 'string' },
      repository: { type: 'string' },
      'api-url': { type: 'string' },
      'token-env': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-prefix': { type: 'string' },
      'previous-manifest': { type: 'string' },
      'allow-downgrade': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0, names: '' },
  );
  if (!values.manifest) throw new UsageError('--manifest is required.');
  const m = readManifest(values.manifest);
  const imagePath = values.image ?? path.join(path.dirname(values.manifest), m.firmware.file);
  let github;
  if (values['github-release']) {
    const tokenVar = values['token-env'] ?? 'GITHUB_TOKEN';
    const token = process.env[tokenVar];
    if (!token)
      throw new TinyOpsError('GITHUB_TOKEN', `No GitHub token in $${tokenVar}`, {
        hint: `Set ${tokenVar} (in a workflow: env: { ${tokenVar}: \${{ github.token }} }).`,
      });
    const repository = values.repository ?? process.env.GITHUB_REPOSITORY;
    if (!repository)
      throw new UsageError(
        '--github-release needs --repository OWNER/NAME (or GITHUB_REPOSITORY).',
      );
    github = {
      apiUrl: values['api-url'] ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
      token,
      repository,
      tag: values['github-release'],
      commit: m.provenance.commit ?? undefined,
    };
  }
  const result = await publishRelease({
    manifest: m,
    image: readInput(imagePath, 'Image'),
    model: values.model
      ? { file: values.model, bytes: readInput(values.model, 'Model') }
      : undefined,
    targets: { dir: values.dir, github, mqtt: mqttTarget(values) },
    previous: values['previous-manifest'] ? readManifest(values['previous-manifest']) : null,
    allowDowngrade: values['allow-downgrade'],
  });
  if (values.json) io.stdout(JSON.stringify({ ok: true, ...result }, null, 2));
  else {
    const lines = [
      `Published ${result.releaseId} (${result.version})${result.previousVersion ? `, previous ${result.previousVersion}` : ''}`,
    ];
    if (result.dir) lines.push(`  directory: ${result.dir}`);
    if (result.github)
      lines.push(
        `  GitHub release: ${result.github.releaseUrl} (${result.github.assets.map((a) => a.name).join(', ')})`,
      );
    if (result.mqtt)
      lines.push(
        `  MQTT: ${result.mqtt.announcement} (retained), rollout on ${result.mqtt.rollout}: ${result.mqtt.state.reason}`,
      );
    io.stdout(lines.join('\n'));
  }
  return 0;
}

async function promote(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandLine(
    args,
    {
      manifest: { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-prefix': { type: 'string' },
      window: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0, names: '' },
  );
  if (!values.manifest)
    throw new UsageError('--manifest is required (it holds the rollout plan and thresholds).');
  const target = mqttTarget(values);
  if (!target) throw new UsageError('--mqtt-url is required.');
  const windowS = values.window === undefined ? 60 : Number(values.window);
  if (!(windowS >= 0)) throw new UsageError(`--window takes seconds, got "${values.window}".`);
  const r = await promoteRollout(target, readManifest(values.manifest), windowS * 1000);
  if (values.json)
    io.stdout(
      JSON.stringify(
        {
          ok: r.state.decision !== 'halt',
          reports: r.reports,
          ignored: r.ignored,
          topic: r.topic,
          state: r.state,
        },
        null,
        2,
      ),
    );
  else {
    const lines = [
      `${r.state.decision.toUpperCase()}: ${r.state.reason}`,
      `  ${r.reports} health reports (${r.ignored} malformed ignored); state published to ${r.topic}`,
    ];
    for (const c of r.state.cohorts)
      lines.push(
        `  stage ${c.stage + 1}: ${c.reports} reports${c.updateSuccessRate !== null ? `, success ${(c.updateSuccessRate * 100).toFixed(1)}%, crashes ${(c.crashRate! * 100).toFixed(1)}%` : ''}${c.meanLatencyMs !== null ? `, latency ${c.meanLatencyMs.toFixed(2)} ms` : ''}${c.healthy === false ? ` FAILING (${c.problems.join('; ')})` : ''}`,
      );
    io.stdout(lines.join('\n'));
  }
  return r.state.decision === 'halt' ? 1 : 0;
}

const SUBCOMMANDS: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  sign,
  verify,
  manifest,
  publish,
  promote,
};

export const otaCommand: CliCommand = {
  summary:
    'sign MCUboot images, verify them, write release manifests, publish and promote staged rollouts',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const fn = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!fn)
      throw new UsageError(
        sub === undefined
          ? 'Missing subcommand: sign, verify, manifest, publish or promote.'
          : `Unknown ota subcommand "${sub}".`,
      );
    return fn(rest, io);
  },
};
