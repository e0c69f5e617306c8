import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MANIFEST_SCHEMA from '../../schemas/ota-manifest.schema.json';
import { TinyOpsError } from '../errors';
import { validateWithSchema } from '../config/validate';
import { TINYOPS_VERSION } from '../version';
import { verifyImage, type VerifyResult } from './image';
import type { ImageKey } from './keys';
import { compareImageVersions, formatImageVersion, parseImageVersion } from './version';
import { DEFAULT_HEALTH, DEFAULT_STAGES, validateStages, type RolloutPlan } from './rollout';

export { MANIFEST_SCHEMA };

export interface ReportFigures {
  gate?: { passed: boolean; failOn?: string };
  quantize?: {
    floatAccuracy: number | null;
    int8Accuracy: number | null;
    accuracyDrop: number | null;
    sizeRatio?: number;
  };
  build?: { board: string; flash: number; ram: number };
  hil?: {
    /** Top-1 accuracy on the device, when the dataset had labels. */
    accuracy: number | null;
    latencyMs: number | null;
    /** Where it ran, the fraction of samples equal to the host reference, and whether the latency
     * is a proxy (QEMU instruction counts) rather than time on the board. */
    board?: string;
    agreement?: number;
    latencyProxy?: boolean;
  };
}

export interface Provenance {
  commit: string | null;
  ref: string | null;
  repository: string | null;
  runId: string | null;
  runAttempt?: string | null;
  workflow?: string | null;
}

export interface OtaManifest {
  schemaVersion: 1;
  kind: 'ota-manifest';
  tool: { name: 'tinyops'; version: string };
  releaseId: string;
  createdAt: string;
  board: string;
  firmware: {
    file: string;
    url?: string;
    version: string;
    sha256: string;
    bytes: number;
    imageDigest: string;
    keyHash: string;
    signature: ImageKey['kind'];
  };
  model: { file: string; sha256: string; bytes: number; version: string | null } | null;
  reports: ReportFigures;
  provenance: Provenance;
  rollout: RolloutPlan;
}

export interface ManifestInput {
  image: Uint8Array;
  imageFile: string;
  imageUrl?: string;
  /** Verifies the image before anything is published (public or private key). */
  key: ImageKey;
  board: string;
  releaseId?: string;
  model?: { file: string; bytes: Uint8Array; version?: string | null };
  reports?: ReportFigures;
  provenance?: Partial<Provenance>;
  rollout?: Partial<Omit<RolloutPlan, 'health'>> & { health?: Partial<RolloutPlan['health']> };
  now?: Date;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Builds a release manifest for a signed image, verifying the image against the key first. */
export function buildManifest(input: ManifestInput): OtaManifest {
  const verified: VerifyResult = verifyImage(input.image, input.key, input.imageFile);
  const version = formatImageVersion(verified.image.version);
  const health = { ...DEFAULT_HEALTH, ...input.rollout?.health };
  // Only a latency timed on a board can be the fleet's baseline; an emulator's proxy cannot.
  const hil = input.reports?.hil;
  if (health.baselineLatencyMs === null && hil?.latencyMs != null && hil.latencyProxy !== true)
    health.baselineLatencyMs = hil.latencyMs;
  const manifest: OtaManifest = {
    schemaVersion: 1,
    kind: 'ota-manifest',
    tool: { name: 'tinyops', version: TINYOPS_VERSION },
    releaseId: input.releaseId ?? `${input.board}-${version}`,
    createdAt: (input.now ?? new Date()).toISOString(),
    board: input.board,
    firmware: {
      file: path.basename(input.imageFile),
      ...(input.imageUrl ? { url: input.imageUrl } : {}),
      version,
      sha256: sha256(input.image),
      bytes: input.image.length,
      imageDigest: verified.digest,
      keyHash: verified.keyHash,
      signature: verified.signatureKind,
    },
    model: input.model
      ? {
          file: path.basename(input.model.file),
          sha256: sha256(input.model.bytes),
          bytes: input.model.bytes.length,
          version: input.model.version ?? null,
        }
      : null,
    reports: input.reports ?? {},
    provenance: {
      commit: input.provenance?.commit ?? null,
      ref: input.provenance?.ref ?? null,
      repository: input.provenance?.repository ?? null,
      runId: input.provenance?.runId ?? null,
      runAttempt: input.provenance?.runAttempt ?? null,
      workflow: input.provenance?.workflow ?? null,
    },
    rollout: {
      stages: validateStages(input.rollout?.stages ?? DEFAULT_STAGES),
      minReportsPerStage: input.rollout?.minReportsPerStage ?? 5,
      health,
    },
  };
  validateManifest(manifest, 'the manifest being built');
  return manifest;
}

export function validateManifest(data: unknown, source: string): asserts data is OtaManifest {
  validateWithSchema(MANIFEST_SCHEMA, data, {
    code: 'OTA_MANIFEST_INVALID',
    source,
    hint: 'Regenerate it with `tinyops ota manifest`.',
  });
}

export function serializeManifest(manifest: OtaManifest): string {
  validateManifest(manifest, `the manifest of ${manifest.releaseId}`);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function parseManifest(text: string, source: string): OtaManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TinyOpsError('OTA_MANIFEST_INVALID', `${source} is not valid JSON`, {
      where: source,
      hint: 'Give a manifest.json written by `tinyops ota manifest`.',
    });
  }
  validateManifest(data, source);
  return data;
}

export function readManifest(file: string): OtaManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new TinyOpsError('OTA_MANIFEST_MISSING', `Manifest not found: ${file}`, {
      where: file,
      hint: 'Check the path, or run `tinyops ota manifest` first.',
    });
  }
  return parseManifest(text, file);
}

/** Anti-rollback: a release older than the last published one fails unless allowed. */
export function checkNotDowngrade(
  version: string,
  previous: { version: string; releaseId: string } | null,
  allowDowngrade: boolean,
): void {
  if (!previous) return;
  const cmp = compareImageVersions(
    parseImageVersion(version),
    parseImageVersion(previous.version, previous.releaseId),
  );
  if (cmp < 0 && !allowDowngrade)
    throw new TinyOpsError(
      'OTA_DOWNGRADE',
      `Version ${version} is older than the last published ${previous.version} (${previous.releaseId})`,
      {
        hint: 'Bump the version; to roll back on purpose, pass --allow-downgrade (devices with MCUboot downgrade prevention will still refuse it).',
      },
    );
}

/** A nested field of parsed JSON, or undefined. */
const field = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    o,
  );
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Keeps the key figures of earlier steps' JSON reports. Each file's `kind` says which it is. */
export function reportFigures(files: string[]): ReportFigures {
  const out: ReportFigures = {};
  for (const file of files) {
    let r: unknown;
    try {
      r = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw new TinyOpsError('REPORT_UNREADABLE', `Report ${file} is missing or not JSON`, {
        where: file,
        hint: 'Pass the JSON report an earlier TinyOps step wrote.',
      });
    }
    const kind = field(r, 'kind');
    if (kind === 'gate' && typeof field(r, 'passed') === 'boolean') {
      const failOn = field(r, 'failOn');
      out.gate = {
        passed: field(r, 'passed') as boolean,
        ...(typeof failOn === 'string' ? { failOn } : {}),
      };
    } else if (kind === 'quantize') {
      const sizeRatio = num(field(r, 'sizeRatio'));
      out.quantize = {
        floatAccuracy: num(field(r, 'evaluation', 'floatAccuracy')),
        int8Accuracy: num(field(r, 'evaluation', 'int8Accuracy')),
        accuracyDrop: num(field(r, 'evaluation', 'accuracyDrop')),
        ...(sizeRatio !== null ? { sizeRatio } : {}),
      };
    } else if (
      kind === 'build' &&
      Number.isInteger(field(r, 'sizes', 'flash')) &&
      Number.isInteger(field(r, 'sizes', 'ram'))
    ) {
      out.build = {
        board: String(field(r, 'board')),
        flash: field(r, 'sizes', 'flash') as number,
        ram: field(r, 'sizes', 'ram') as number,
      };
    } else if (kind === 'hil' && typeof field(r, 'board') === 'string') {
      // schemas/hil-report.schema.json: device accuracy, median latency in ms at the board's clock.
      const agreement = num(field(r, 'agreement', 'exactFraction'));
      out.hil = {
        accuracy: num(field(r, 'accuracy', 'device')),
        latencyMs: num(field(r, 'latency', 'estimatedMs', 'median')),
        board: field(r, 'board') as string,
        ...(agreement !== null ? { agreement } : {}),
        latencyProxy: field(r, 'latency', 'proxy') === true,
      };
    } else {
      throw new TinyOpsError(
        'REPORT_KIND',
        `${file} is not a gate, quantize, build or hil report this version reads (kind: ${JSON.stringify(kind)})`,
        {
          where: file,
          hint: 'Pass the JSON report written by `tinyops gate|quantize|build|hil --report`.',
        },
      );
    }
  }
  return out;
}
