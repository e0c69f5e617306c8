import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  input,
  optionalInput,
  booleanInput,
  integerInput,
  listInput,
  runAction,
  setOutputs,
  writeSummary,
  secret,
  failStep,
} from '../../../shared/github/action';
import { TinyOpsError } from '../../../shared/errors';
import { writeFileAtomic } from '../../../shared/fsutil/atomic';
import { parseKeyPem } from '../../../shared/ota/keys';
import { signImage } from '../../../shared/ota/image';
import { parseImageVersion } from '../../../shared/ota/version';
import {
  buildManifest,
  readManifest,
  reportFigures,
  serializeManifest,
} from '../../../shared/ota/manifest';
import { publishRelease, promoteRollout } from '../../../shared/ota/release';
import type { MqttTarget } from '../../../shared/ota/publish/mqtt';

function fraction(name: string): number {
  const v = Number(input(name));
  if (!Number.isFinite(v) || v < 0)
    throw new TinyOpsError('INPUT_INVALID', `Input "${name}" must be a fraction such as 0.95`, {
      where: `with: ${name}`,
    });
  return v;
}

function mqttTarget(): MqttTarget | undefined {
  const url = optionalInput('mqtt-url');
  if (!url) return undefined;
  const password = optionalInput('mqtt-password');
  if (password) secret(password);
  return {
    url,
    prefix: input('mqtt-prefix', 'tinyops/ota'),
    username: optionalInput('mqtt-username'),
    password,
  };
}

async function publish(): Promise<void> {
  const pem = input('signing-key');
  if (!pem)
    throw new TinyOpsError('INPUT_MISSING', 'Input "signing-key" is required to publish', {
      where: 'with: signing-key',
      hint: 'signing-key: ${{ secrets.OTA_SIGNING_KEY }}',
    });
  for (const line of pem.split('\n'))
    if (line.trim() && !line.startsWith('-----')) secret(line.trim());
  const firmwarePath = input('firmware');
  const board = input('board');
  if (!firmwarePath || !board)
    throw new TinyOpsError(
      'INPUT_MISSING',
      'Inputs "firmware" and "board" are required to publish',
      { where: 'with: firmware / board' },
    );
  const ref = process.env.GITHUB_REF ?? '';
  const versionText = input('version') || (ref.startsWith('refs/tags/') ? ref : '');
  if (!versionText)
    throw new TinyOpsError('INPUT_MISSING', 'No version: set the "version" input or run on a tag', {
      where: 'with: version',
      hint: 'version: 1.2.3, or trigger on `push: tags: [v*]`.',
    });
  const version = parseImageVersion(versionText, 'with: version');
  const key = parseKeyPem(pem, 'input signing-key');
  const headerSize = input('header-size', '0x200');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(headerSize))
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "header-size" must be a number, got "${headerSize}"`,
      { where: 'with: header-size' },
    );
  const firmware = new Uint8Array(fs.readFileSync(firmwarePath));
  const image = signImage(
    firmware,
    key,
    { version, headerSize: Number(headerSize), padHeader: booleanInput('pad-header', true) },
    firmwarePath,
  );
  const outDir = input('out-dir', 'ota-release');
  const imagePath = path.join(
    outDir,
    // the board in the name: a matrix of boards can share one release tag
    `${path.basename(firmwarePath).replace(/\.[^.]*$/, '')}-${board.replace(/[^A-Za-z0-9._-]/g, '_')}.signed.bin`,
  );
  writeFileAtomic(imagePath, image);

  const tag = optionalInput('release-tag');
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const modelPath = optionalInput('model');
  const model = modelPath
    ? { file: modelPath, bytes: new Uint8Array(fs.readFileSync(modelPath)) }
    : undefined;
  const baseline = optionalInput('baseline-latency');
  const manifest = buildManifest({
    image,
    imageFile: imagePath,
    imageUrl: tag
      ? `${server}/${repository}/releases/download/${encodeURIComponent(tag)}/${path.basename(imagePath)}`
      : undefined,
    key,
    board,
    model,
    reports: reportFigures(listInput('reports')),
    provenance: {
      commit: process.env.GITHUB_SHA ?? null,
      ref: ref || null,
      repository: repository || null,
      runId: process.env.GITHUB_RUN_ID ?? null,
      runAttempt: process.env.GITHUB_RUN_ATTEMPT ?? null,
      workflow: process.env.GITHUB_WORKFLOW ?? null,
    },
    rollout: {
      stages: input('stages', '1,10,50,100')
        .split(',')
        .map((s) => Number(s.trim())),
      minReportsPerStage: integerInput('min-reports', 5),
      health: {
        minUpdateSuccessRate: fraction('min-success'),
        maxCrashRate: fraction('max-crash'),
        maxLatencyRegression: fraction('max-latency-regression'),
        ...(baseline ? { baselineLatencyMs: Number(baseline) } : {}),
      },
    },
  });
  const manifestPath = path.join(outDir, 'manifest.json');
  writeFileAtomic(manifestPath, serializeManifest(manifest));
  const token = input('token');
  if (tag && token) secret(token);
  const result = await publishRelease({
    manifest,
    image,
    model,
    targets: {
      dir: path.join(outDir, 'releases'),
      github: tag
        ? {
            apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
            token,
            repository,
            tag,
            commit: process.env.GITHUB_SHA,
          }
        : undefined,
      mqtt: mqttTarget(),
    },
    allowDowngrade: booleanInput('allow-downgrade', false),
  });
  setOutputs({
    'image-path': imagePath,
    'manifest-path': manifestPath,
    'image-sha256': manifest.firmware.sha256,
    version: manifest.firmware.version,
    'release-id': manifest.releaseId,
    'release-url': result.github?.releaseUrl,
    'rollout-decision': result.mqtt?.state.decision,
    'rollout-percent': result.mqtt?.state.percent,
    'rollout-status': result.mqtt?.state.status,
  });
  const r = manifest.reports;
  await writeSummary(
    [
      `### TinyOps ota-publish: ${manifest.board} ${manifest.firmware.version}`,
      '',
      '| | |',
      '|---|---|',
      `| Image | \`${imagePath}\` (${image.length} bytes, ${manifest.firmware.signature}) |`,
      `| Image SHA-256 | \`${manifest.firmware.sha256}\` |`,
      `| Signing key hash | \`${manifest.firmware.keyHash}\` |`,
      ...(manifest.model
        ? [`| Model | \`${manifest.model.file}\` \`${manifest.model.sha256}\` |`]
        : []),
      ...(r.gate ? [`| Gate | ${r.gate.passed ? 'passed' : 'failed'} |`] : []),
      ...(r.hil
        ? [
            `| Device accuracy / latency | ${r.hil.accuracy ?? '–'} / ${r.hil.latencyMs ?? '–'} ms |`,
          ]
        : []),
      `| Rollout | ${manifest.rollout.stages.join('% → ')}% |`,
      ...(result.previousVersion ? [`| Previous version | ${result.previousVersion} |`] : []),
      ...(result.github ? [`| GitHub Release | ${result.github.releaseUrl} |`] : []),
      ...(result.mqtt
        ? [`| MQTT | \`${result.mqtt.announcement}\` (retained); ${result.mqtt.state.reason} |`]
        : []),
      '',
    ].join('\n'),
  );
}

async function promote(): Promise<void> {
  const target = mqttTarget();
  const manifestPath = input('manifest');
  if (!target || !manifestPath)
    throw new TinyOpsError('INPUT_MISSING', 'promote needs the "mqtt-url" and "manifest" inputs', {
      where: 'with: mqtt-url / manifest',
    });
  const r = await promoteRollout(
    target,
    readManifest(manifestPath),
    integerInput('promote-window', 60) * 1000,
  );
  setOutputs({
    'release-id': r.state.releaseId,
    version: r.state.version,
    'rollout-decision': r.state.decision,
    'rollout-percent': r.state.percent,
    'rollout-status': r.state.status,
  });
  await writeSummary(
    [
      `### TinyOps ota-publish (promote): ${r.state.releaseId}`,
      '',
      `**${r.state.decision.toUpperCase()}**: ${r.state.reason}`,
      '',
      '| Stage | Reports | Update success | Crash rate | Mean latency | Verdict |',
      '|---|---|---|---|---|---|',
      ...r.state.cohorts.map(
        (c) =>
          `| ${c.stage + 1} | ${c.reports} | ${c.updateSuccessRate === null ? '–' : `${(c.updateSuccessRate * 100).toFixed(1)}%`} | ${c.crashRate === null ? '–' : `${(c.crashRate * 100).toFixed(1)}%`} | ${c.meanLatencyMs === null ? '–' : `${c.meanLatencyMs.toFixed(2)} ms`} | ${c.healthy === null ? 'too few reports' : c.healthy ? 'healthy' : c.problems.join('; ')} |`,
      ),
      '',
    ].join('\n'),
  );
  if (r.state.decision === 'halt') failStep(`Rollout halted: ${r.state.reason}`);
}

void runAction(async () => {
  const mode = input('mode', 'publish');
  if (mode === 'publish') await publish();
  else if (mode === 'promote') await promote();
  else
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "mode" must be publish or promote, got "${mode}"`,
      { where: 'with: mode' },
    );
});
