import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import { checkNotDowngrade, parseManifest, serializeManifest, type OtaManifest } from './manifest';
import { publishLocal, readLatestLocal } from './publish/local-dir';
import {
  recentReleaseAssets,
  ensureRelease,
  uploadReleaseAssets,
  type GitHubReleaseTarget,
  type ReleaseAsset,
} from './publish/github-release';
import {
  announceRelease,
  collectHealth,
  publishRolloutState,
  readAnnouncement,
  type MqttTarget,
} from './publish/mqtt';
import { compareImageVersions, parseImageVersion } from './version';
import { decideRollout, initialRolloutState, type RolloutState } from './rollout';

export interface PublishTargets {
  dir?: string;
  github?: GitHubReleaseTarget & { tag: string; commit?: string; prerelease?: boolean };
  mqtt?: MqttTarget;
}

export interface PublishInput {
  manifest: OtaManifest;
  image: Uint8Array;
  model?: { file: string; bytes: Uint8Array };
  targets: PublishTargets;
  /** The last published release when known from elsewhere (e.g. a downloaded manifest). */
  previous?: OtaManifest | null;
  allowDowngrade?: boolean;
}

export interface PublishResult {
  releaseId: string;
  version: string;
  /** The last published version checked against (anti-rollback), if any. */
  previousVersion: string | null;
  dir?: string;
  github?: { releaseUrl: string; assets: ReleaseAsset[] };
  mqtt?: { announcement: string; rollout: string; state: RolloutState };
}

/** Per board, so a matrix of boards can publish to one release tag without collisions. */
export const manifestAssetName = (board: string) =>
  `manifest-${board.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Publishes a release to each configured target, after checking the image and model match the
 * manifest and that the version does not go backwards on any target. */
export async function publishRelease(input: PublishInput): Promise<PublishResult> {
  const { manifest, targets } = input;
  if (!targets.dir && !targets.github && !targets.mqtt)
    throw new TinyOpsError('OTA_PUBLISH', 'No publish target given', {
      hint: 'Pass --dir DIR, --github-release TAG and/or --mqtt-url URL.',
    });
  if (sha256(input.image) !== manifest.firmware.sha256)
    throw new TinyOpsError(
      'OTA_PUBLISH',
      `The image is not the one the manifest describes (SHA-256 differs)`,
      {
        where: manifest.firmware.file,
        hint: 'Rebuild the manifest from this image with `tinyops ota manifest`.',
      },
    );
  if (input.model && (!manifest.model || sha256(input.model.bytes) !== manifest.model.sha256))
    throw new TinyOpsError('OTA_PUBLISH', 'The model is not the one the manifest describes', {
      where: input.model.file,
      hint: 'Rebuild the manifest with --model pointing at this model.',
    });

  // Anti-rollback against every place a previous release is visible, before writing anywhere.
  const previous: OtaManifest[] = [];
  if (input.previous) previous.push(input.previous);
  if (targets.dir) {
    const local = readLatestLocal(targets.dir, manifest.board);
    if (local) previous.push(local);
  }
  if (targets.mqtt) {
    const announced = await readAnnouncement(targets.mqtt, manifest.board);
    if (announced) previous.push(announced);
  }
  if (targets.github) {
    for (const { tag, text } of await recentReleaseAssets(
      targets.github,
      manifestAssetName(manifest.board),
    ))
      previous.push(parseManifest(text, `${manifestAssetName(manifest.board)} of release ${tag}`));
  }
  for (const p of previous)
    checkNotDowngrade(
      manifest.firmware.version,
      { version: p.firmware.version, releaseId: p.releaseId },
      input.allowDowngrade ?? false,
    );
  const result: PublishResult = {
    releaseId: manifest.releaseId,
    version: manifest.firmware.version,
    previousVersion:
      previous
        .map((p) => p.firmware.version)
        .sort((a, b) => compareImageVersions(parseImageVersion(a), parseImageVersion(b)))
        .pop() ?? null,
  };

  if (targets.dir)
    result.dir = publishLocal(targets.dir, { manifest, image: input.image, model: input.model });
  if (targets.github) {
    const g = targets.github;
    const release = await ensureRelease(g, g.tag, {
      name: `${manifest.board} ${manifest.firmware.version}`,
      commit: g.commit,
      prerelease: g.prerelease,
      body: releaseBody(manifest),
    });
    const assets = await uploadReleaseAssets(g, release, [
      { name: manifest.firmware.file, data: input.image },
      ...(input.model ? [{ name: path.basename(input.model.file), data: input.model.bytes }] : []),
      {
        name: manifestAssetName(manifest.board),
        data: new TextEncoder().encode(serializeManifest(manifest)),
        contentType: 'application/json',
      },
    ]);
    result.github = { releaseUrl: release.html_url, assets };
  }
  if (targets.mqtt) {
    const state = initialRolloutState(
      manifest.releaseId,
      manifest.firmware.version,
      manifest.rollout,
    );
    result.mqtt = { ...(await announceRelease(targets.mqtt, manifest, state)), state };
  }
  return result;
}

function releaseBody(m: OtaManifest): string {
  const lines = [
    `Signed MCUboot image for **${m.board}**, version ${m.firmware.version} (${m.firmware.signature}).`,
    '',
    `- image SHA-256: \`${m.firmware.sha256}\``,
    `- signing key hash: \`${m.firmware.keyHash}\``,
  ];
  if (m.model) lines.push(`- model ${m.model.file}: \`${m.model.sha256}\``);
  if (m.reports.gate) lines.push(`- gate: ${m.reports.gate.passed ? 'passed' : 'FAILED'}`);
  lines.push(`- rollout: ${m.rollout.stages.join('% → ')}%`);
  if (m.provenance.commit)
    lines.push(
      `- built from ${m.provenance.repository ?? ''}@${m.provenance.commit}${m.provenance.runId ? ` (run ${m.provenance.runId})` : ''}`,
    );
  return lines.join('\n');
}

/** One promote run: reads the rollout state and device health for windowMs, decides, publishes. */
export async function promoteRollout(
  mqttTarget: MqttTarget,
  manifest: OtaManifest,
  windowMs: number,
): Promise<{ state: RolloutState; reports: number; ignored: number; topic: string }> {
  const { state, reports, ignored } = await collectHealth(mqttTarget, manifest.releaseId, windowMs);
  if (!state)
    throw new TinyOpsError(
      'OTA_ROLLOUT_MISSING',
      `No rollout state for release ${manifest.releaseId} on ${mqttTarget.url}`,
      {
        hint: 'Publish the release with `tinyops ota publish --mqtt-url URL` first (same --mqtt-prefix).',
      },
    );
  const next = decideRollout(state, reports, manifest.rollout);
  const topic = await publishRolloutState(mqttTarget, next);
  return { state: next, reports: reports.length, ignored, topic };
}
