import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { signImage, verifyImage } from '../../shared/ota/image';
import { parseImageVersion } from '../../shared/ota/version';
import {
  buildManifest,
  parseManifest,
  serializeManifest,
  type OtaManifest,
} from '../../shared/ota/manifest';
import { publishRelease, promoteRollout } from '../../shared/ota/release';
import { deviceStage, type RolloutState } from '../../shared/ota/rollout';
import { topics } from '../../shared/ota/publish/mqtt';
import type { ImageKey } from '../../shared/ota/keys';
import { startMosquitto } from '../helpers/mosquitto';
import { runCli } from '../helpers/cli';
import { firmwareBytes, makeKey } from './keys-helper';

const BOARD = 'mps2-an386';
const PREFIX = 'test/ota';
const T = topics(PREFIX);

/** One simulated device: takes the retained announcement, downloads the image, checks its hash
 * and signature, picks its stage, and once the rollout reaches it "installs" and reports health
 * (retained, on its own topic under the release). `behaviour` decides what its report says. */
class Device {
  client!: MqttClient;
  manifest: OtaManifest | null = null;
  verified = false;
  rejected: string | null = null;
  installed = new Set<string>();
  private pending = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly trustedKey: ImageKey,
    private readonly behaviour: (
      releaseId: string,
      stage: number,
    ) => { updated: boolean; crashed: boolean; latencyMs: number },
  ) {}

  async connect(url: string): Promise<void> {
    this.client = await mqtt.connectAsync(url, { clientId: this.id, reconnectPeriod: 0 });
    this.client.on('message', (topic, payload) => {
      this.pending = this.pending
        .then(() => this.onMessage(topic, payload.toString('utf8')))
        .catch(() => undefined);
    });
    await this.client.subscribeAsync(T.announcement(BOARD), { qos: 1 });
  }

  private async onMessage(topic: string, text: string): Promise<void> {
    if (topic === T.announcement(BOARD)) {
      const m = parseManifest(text, topic);
      if (this.manifest) await this.client.unsubscribeAsync(T.rollout(this.manifest.releaseId));
      this.manifest = m;
      const image = new Uint8Array(fs.readFileSync(fileURLToPath(m.firmware.url!)));
      this.verified = false;
      this.rejected = null;
      if (createHash('sha256').update(image).digest('hex') !== m.firmware.sha256) {
        this.rejected = 'hash';
        return;
      }
      try {
        verifyImage(image, this.trustedKey);
      } catch {
        this.rejected = 'signature';
        return;
      }
      this.verified = true;
      await this.client.subscribeAsync(T.rollout(m.releaseId), { qos: 1 });
      return;
    }
    const m = this.manifest;
    if (!m || !this.verified || topic !== T.rollout(m.releaseId)) return;
    const state = JSON.parse(text) as RolloutState;
    const stage = deviceStage(this.id, m.releaseId, m.rollout.stages);
    if (state.status === 'halted' || stage > state.stageIndex || this.installed.has(m.releaseId))
      return;
    this.installed.add(m.releaseId);
    const health = this.behaviour(m.releaseId, stage);
    await this.client.publishAsync(
      T.deviceHealth(m.releaseId, this.id),
      JSON.stringify({ deviceId: this.id, stage, ...health }),
      { qos: 1, retain: true },
    );
  }

  async idle(): Promise<void> {
    await this.pending;
  }
}

async function until(what: string, cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('MQTT announcement, simulated fleet and staged promotion (real mosquitto)', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>> = null;
  let dir: string;
  const fleet: Device[] = [];
  const k = makeKey('ed25519');
  const stages = [20, 50, 100];

  beforeAll(async () => {
    broker = await startMosquitto();
    if (!broker)
      console.warn(
        'mosquitto not installed (/usr/sbin/mosquitto): skipping the MQTT tests; apt-get install -y mosquitto',
      );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ota-mqtt-'));
  });
  afterAll(async () => {
    await Promise.all(fleet.map((d) => d.client?.endAsync(true)));
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function release(version: string, seed: number): Promise<OtaManifest> {
    const image = signImage(firmwareBytes(20000, seed), k.key, {
      version: parseImageVersion(version),
      padHeader: true,
    });
    const imageFile = path.join(dir, `app-${version}.signed.bin`);
    fs.writeFileSync(imageFile, image);
    const manifest = buildManifest({
      image,
      imageFile,
      imageUrl: pathToFileURL(
        path.join(dir, 'releases', `${BOARD}-${version}`, path.basename(imageFile)),
      ).href,
      key: k.pub,
      board: BOARD,
      rollout: {
        stages,
        minReportsPerStage: 3,
        health: {
          baselineLatencyMs: 20,
          maxLatencyRegression: 0.25,
          maxCrashRate: 0.05,
          minUpdateSuccessRate: 0.9,
        },
      },
    });
    const result = await publishRelease({
      manifest,
      image,
      targets: { dir: path.join(dir, 'releases'), mqtt: { url: broker!.url, prefix: PREFIX } },
    });
    expect(result.mqtt!.state).toMatchObject({ decision: 'start', stageIndex: 0, percent: 20 });
    return manifest;
  }

  const reported = (releaseId: string) => fleet.filter((d) => d.installed.has(releaseId)).length;
  const inStages = (m: OtaManifest, upTo: number) =>
    fleet.filter((d) => deviceStage(d.id, m.releaseId, stages) <= upTo).length;

  test('devices verify the announced image; healthy stages advance to 100%; a crashing cohort halts', async () => {
    if (!broker) return;
    const v2 = '1.1.0';
    for (let i = 0; i < 50; i++) {
      fleet.push(
        new Device(`dev-${String(i).padStart(3, '0')}`, k.pub, (releaseId, stage) => {
          // release 1.1.0 crashes on half of the second cohort
          const bad = releaseId.endsWith(v2) && stage === 1 && i % 2 === 0;
          return { updated: true, crashed: bad, latencyMs: 20 + (i % 3) };
        }),
      );
    }
    await Promise.all(fleet.map((d) => d.connect(broker!.url)));

    // Release 1.0.0: announced retained, every device verifies it.
    const m1 = await release('1.0.0', 1);
    await until('all devices to verify 1.0.0', () =>
      fleet.every((d) => d.verified && d.manifest?.releaseId === m1.releaseId),
    );
    await until('stage 1 reports', () => reported(m1.releaseId) === inStages(m1, 0));
    expect(inStages(m1, 0)).toBeGreaterThanOrEqual(3);

    const p1 = await promoteRollout({ url: broker.url, prefix: PREFIX }, m1, 300);
    expect(p1.state).toMatchObject({ decision: 'advance', stageIndex: 1, percent: 50 });
    expect(p1.reports).toBe(inStages(m1, 0));
    await until('stage 2 reports', () => reported(m1.releaseId) === inStages(m1, 1));
    const p2 = await promoteRollout({ url: broker.url, prefix: PREFIX }, m1, 300);
    expect(p2.state).toMatchObject({
      decision: 'advance',
      stageIndex: 2,
      percent: 100,
      status: 'complete',
    });
    await until('every device updated', () => reported(m1.releaseId) === 50);

    // Release 1.1.0: stage 1 healthy, stage 2 has a crashing cohort -> halt (CLI exits 1).
    const m2 = await release(v2, 2);
    await until('all devices to verify 1.1.0', () =>
      fleet.every((d) => d.verified && d.manifest?.releaseId === m2.releaseId),
    );
    await until('stage 1 reports of 1.1.0', () => reported(m2.releaseId) === inStages(m2, 0));
    expect(
      (await promoteRollout({ url: broker.url, prefix: PREFIX }, m2, 300)).state.decision,
    ).toBe('advance');
    await until('stage 2 reports of 1.1.0', () => reported(m2.releaseId) === inStages(m2, 1));
    const manifestFile = path.join(dir, 'm2.json');
    fs.writeFileSync(manifestFile, serializeManifest(m2));
    const cli = await runCli([
      'ota',
      'promote',
      '--manifest',
      manifestFile,
      '--mqtt-url',
      broker.url,
      '--mqtt-prefix',
      PREFIX,
      '--window',
      '0.3',
    ]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(
      /^HALT: Halted at stage 2 \(50%\): stage 2 cohort \(\d+ reports\): crash rate/,
    );
    // The halted state is retained: a device that joins now does not install.
    const late = new Device('late-joiner', k.pub, () => ({
      updated: true,
      crashed: false,
      latencyMs: 20,
    }));
    fleet.push(late);
    await late.connect(broker.url);
    await until('the late device to verify', () => late.verified);
    await new Promise((r) => setTimeout(r, 200));
    await late.idle();
    expect(late.installed.size).toBe(0);
    // Promoting again keeps it halted.
    const again = await runCli([
      'ota',
      'promote',
      '--manifest',
      manifestFile,
      '--mqtt-url',
      broker.url,
      '--mqtt-prefix',
      PREFIX,
      '--window',
      '0.1',
      '--json',
    ]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).state.status).toBe('halted');
  });

  test('devices reject an image whose signature is not from the trusted key', async () => {
    if (!broker) return;
    const other = makeKey('ed25519');
    const image = signImage(firmwareBytes(1000, 9), other.key, {
      version: parseImageVersion('1.2.0'),
      padHeader: true,
    });
    const file = path.join(dir, 'rogue.bin');
    fs.writeFileSync(file, image);
    const manifest = buildManifest({
      image,
      imageFile: file,
      imageUrl: pathToFileURL(file).href,
      key: other.pub,
      board: BOARD,
    });
    await publishRelease({
      manifest,
      image,
      targets: { mqtt: { url: broker.url, prefix: PREFIX } },
    });
    await until('devices to reject it', () =>
      fleet.every(
        (d) => d.manifest?.releaseId === manifest.releaseId && d.rejected === 'signature',
      ),
    );
  });

  test('anti-rollback reads the retained announcement', async () => {
    if (!broker) return;
    const target = { url: broker.url, prefix: PREFIX };
    const make = (version: string) => {
      const image = signImage(firmwareBytes(1000, 3), k.key, {
        version: parseImageVersion(version),
        padHeader: true,
      });
      return {
        image,
        manifest: buildManifest({ image, imageFile: 'x.bin', key: k.pub, board: 'rollback-board' }),
      };
    };
    await publishRelease({ ...make('2.0.0'), targets: { mqtt: target } });
    await expect(
      publishRelease({ ...make('1.9.9'), targets: { mqtt: target } }),
    ).rejects.toMatchObject({ code: 'OTA_DOWNGRADE' });
    const forced = await publishRelease({
      ...make('1.9.9'),
      targets: { mqtt: target },
      allowDowngrade: true,
    });
    expect(forced.previousVersion).toBe('2.0.0');
  });

  test('an unreachable broker is a clear error', async () => {
    const m = { releaseId: 'x' } as OtaManifest;
    await expect(
      promoteRollout({ url: 'mqtt://127.0.0.1:1', connectTimeoutMs: 2000 }, m, 10),
    ).rejects.toThrow(/Could not connect to the MQTT broker/);
  });
});
