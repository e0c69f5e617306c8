import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signImage } from '../../shared/ota/image';
import { parseImageVersion } from '../../shared/ota/version';
import {
  buildManifest,
  parseManifest,
  reportFigures,
  serializeManifest,
  validateManifest,
} from '../../shared/ota/manifest';
import { publishRelease } from '../../shared/ota/release';
import { readLatestLocal } from '../../shared/ota/publish/local-dir';
import {
  decideRollout,
  deviceStage,
  devicePosition,
  initialRolloutState,
  validateStages,
  type HealthReport,
} from '../../shared/ota/rollout';
import { TinyOpsError } from '../../shared/errors';
import { runCli } from '../helpers/cli';
import { validateWithSchema } from '../../shared/config/validate';
import { HIL_REPORT_SCHEMA } from '../../shared/hil/report';
import { firmwareBytes, makeKey } from './keys-helper';

const k = makeKey('ed25519');
const sign = (version: string, seed = 1) =>
  signImage(firmwareBytes(8192, seed), k.key, {
    version: parseImageVersion(version),
    padHeader: true,
  });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ota-manifest-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A hil-test report as `tinyops hil --report` writes it (checked against its schema here). */
function hilReport(board: string, unit: 'us' | 'instructions', proxy: boolean, medianMs: number) {
  const stats = (v: number) => ({ min: v, median: v, p95: v, max: v, mean: v });
  const report = {
    schemaVersion: 1,
    kind: 'hil',
    tool: { name: 'tinyops', version: '0.1.0' },
    status: 'pass',
    board,
    backend: proxy ? 'qemu' : 'serial',
    link: proxy ? 'QEMU mps2-an386 (pid 1)' : '/dev/ttyACM0 at 115200 baud',
    download: 'uart',
    device: { name: 'tinyops', profile: null, modelId: 'kws', protocol: 1 },
    firmware: { path: 'fw.elf', sha256: 'a'.repeat(64) },
    model: { path: 'kws.tflite', sha256: 'b'.repeat(64) },
    dataset: { path: 'val.npz', samples: 100 },
    agreement: {
      mode: 'bytes',
      samples: 100,
      exact: 100,
      exactFraction: 1,
      required: 1,
      top1: 1,
      mismatchedElements: 0,
      mismatches: [],
    },
    accuracy: { labelled: 100, device: 0.9, host: 0.9 },
    latency: {
      unit,
      proxy,
      estimatedMs: stats(medianMs),
      perInference: stats(medianMs * 1000),
      samples: 100,
    },
    wallSeconds: 3,
    samplesPerSecond: 33,
  };
  validateWithSchema(HIL_REPORT_SCHEMA, report, { code: 'T', source: 'hil report' });
  return report;
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as TinyOpsError).code;
  }
  return 'none';
};

describe('manifest', () => {
  test('holds versions, hashes, report figures, provenance and the rollout plan; schema-valid', () => {
    const reports = [
      ['gate.json', { schemaVersion: 1, kind: 'gate', passed: true, failOn: 'error' }],
      [
        'quantize.json',
        {
          schemaVersion: 1,
          kind: 'quantize',
          sizeRatio: 0.26,
          evaluation: { floatAccuracy: 0.91, int8Accuracy: 0.9, accuracyDrop: 0.01 },
        },
      ],
      [
        'build.json',
        {
          schemaVersion: 1,
          kind: 'build',
          board: 'mps2-an386',
          sizes: { flash: 81234, ram: 30111 },
        },
      ],
      ['hil.json', hilReport('nano33ble', 'us', false, 12.5)],
    ].map(([name, data]) => {
      const file = path.join(dir, name as string);
      fs.writeFileSync(file, JSON.stringify(data));
      return file;
    });
    const model = new Uint8Array([1, 2, 3, 4]);
    const m = buildManifest({
      image: sign('1.4.0+7'),
      imageFile: 'fw.signed.bin',
      key: k.pub,
      board: 'mps2-an386',
      model: { file: 'models/kws.tflite', bytes: model, version: '3' },
      reports: reportFigures(reports),
      provenance: {
        commit: 'a'.repeat(40),
        ref: 'refs/tags/v1.4.0',
        repository: 'acme/fw',
        runId: '42',
      },
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(m.releaseId).toBe('mps2-an386-1.4.0+7');
    expect(m.firmware).toMatchObject({
      file: 'fw.signed.bin',
      version: '1.4.0+7',
      signature: 'ed25519',
      bytes: 8192 + 0x200 + 0x90,
    });
    expect(m.model).toEqual({
      file: 'kws.tflite',
      sha256: '9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a',
      bytes: 4,
      version: '3',
    });
    expect(m.reports).toEqual({
      gate: { passed: true, failOn: 'error' },
      quantize: { floatAccuracy: 0.91, int8Accuracy: 0.9, accuracyDrop: 0.01, sizeRatio: 0.26 },
      build: { board: 'mps2-an386', flash: 81234, ram: 30111 },
      hil: {
        accuracy: 0.9,
        latencyMs: 12.5,
        board: 'nano33ble',
        agreement: 1,
        latencyProxy: false,
      },
    });
    expect(m.rollout.stages).toEqual([1, 10, 50, 100]);
    expect(m.rollout.health.baselineLatencyMs).toBe(12.5); // from the HIL report
    expect(parseManifest(serializeManifest(m), 'm.json')).toEqual(m);
  });

  test("an emulator's latency (a proxy) is kept in the reports but never becomes the fleet's baseline", () => {
    const file = path.join(dir, 'hil-qemu.json');
    fs.writeFileSync(file, JSON.stringify(hilReport('qemu-mps2-an386', 'instructions', true, 6.3)));
    const reports = reportFigures([file]);
    expect(reports.hil).toMatchObject({ latencyMs: 6.3, latencyProxy: true });
    const m = buildManifest({
      image: sign('1.0.0'),
      imageFile: 'fw.bin',
      key: k.pub,
      board: 'b',
      reports,
    });
    expect(m.rollout.health.baselineLatencyMs).toBeNull();
  });

  test('schema validation rejects a malformed manifest on write and read', () => {
    const m = buildManifest({ image: sign('1.0.0'), imageFile: 'fw.bin', key: k.pub, board: 'b' });
    expect(
      code(() => validateManifest({ ...m, firmware: { ...m.firmware, sha256: 'xyz' } }, 'm')),
    ).toBe('OTA_MANIFEST_INVALID');
    expect(code(() => serializeManifest({ ...m, rollout: { ...m.rollout, stages: [] } }))).toBe(
      'OTA_MANIFEST_INVALID',
    );
    const noBoard: Record<string, unknown> = { ...m };
    delete noBoard.board;
    expect(() => parseManifest(JSON.stringify(noBoard), 'm.json')).toThrow(
      /missing required key "board"/,
    );
    expect(code(() => parseManifest('{', 'm.json'))).toBe('OTA_MANIFEST_INVALID');
  });

  test('a manifest is only built for an image that verifies against the key', () => {
    const img = sign('1.0.0');
    img[600] ^= 1;
    expect(
      code(() => buildManifest({ image: img, imageFile: 'fw.bin', key: k.pub, board: 'b' })),
    ).toBe('OTA_IMAGE');
    expect(
      code(() =>
        buildManifest({
          image: sign('1.0.0'),
          imageFile: 'fw.bin',
          key: makeKey('ed25519').pub,
          board: 'b',
        }),
      ),
    ).toBe('OTA_IMAGE');
  });

  test('stages must increase and end at 100', () => {
    expect(validateStages([5, 100])).toEqual([5, 100]);
    expect(code(() => validateStages([10, 5, 100]))).toBe('OTA_ROLLOUT');
    expect(code(() => validateStages([1, 50]))).toBe('OTA_ROLLOUT');
  });
});

describe('stage selection', () => {
  test('is deterministic per device and release, and roughly proportional over 10,000 ids', () => {
    const stages = [1, 10, 50, 100];
    expect(deviceStage('dev-1', 'r1', stages)).toBe(deviceStage('dev-1', 'r1', stages));
    const counts = [0, 0, 0, 0];
    let moved = 0;
    for (let i = 0; i < 10000; i++) {
      const p = devicePosition(`device-${i}`, 'board-1.2.3');
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(1);
      counts[deviceStage(`device-${i}`, 'board-1.2.3', stages)]++;
      if (
        deviceStage(`device-${i}`, 'board-1.2.3', stages) !==
        deviceStage(`device-${i}`, 'board-1.2.4', stages)
      )
        moved++;
    }
    // expected 100, 900, 4000, 5000; binomial sd is at most 50
    expect(Math.abs(counts[0] - 100)).toBeLessThan(40);
    expect(Math.abs(counts[1] - 900)).toBeLessThan(120);
    expect(Math.abs(counts[2] - 4000)).toBeLessThan(200);
    expect(Math.abs(counts[3] - 5000)).toBeLessThan(200);
    // another release reshuffles the order
    expect(moved).toBeGreaterThan(3000);
  });
});

describe('rollout decisions', () => {
  const plan = {
    stages: [10, 50, 100],
    minReportsPerStage: 3,
    health: {
      minUpdateSuccessRate: 0.9,
      maxCrashRate: 0.1,
      maxLatencyRegression: 0.2,
      baselineLatencyMs: 10,
    },
  };
  const report = (i: number, stage: number, extra: Partial<HealthReport> = {}): HealthReport => ({
    deviceId: `d${i}`,
    stage,
    updated: true,
    crashed: false,
    latencyMs: 10.5,
    ...extra,
  });
  const start = initialRolloutState('r', '1.0.0', plan);

  test('hold with too few reports, advance when healthy, halt on a failing cohort', () => {
    expect(decideRollout(start, [report(1, 0), report(2, 0)], plan).decision).toBe('hold');
    const advanced = decideRollout(
      start,
      [1, 2, 3].map((i) => report(i, 0)),
      plan,
    );
    expect(advanced).toMatchObject({
      decision: 'advance',
      stageIndex: 1,
      percent: 50,
      status: 'rolling',
    });
    const reports = [1, 2, 3]
      .map((i) => report(i, 0))
      .concat([4, 5, 6, 7].map((i) => report(i, 1, { crashed: i > 5 })));
    const halted = decideRollout(advanced, reports, plan);
    expect(halted).toMatchObject({ decision: 'halt', status: 'halted', stageIndex: 1 });
    expect(halted.reason).toMatch(/crash rate 50\.0% > 10\.0%/);
    // a halted rollout stays halted
    expect(decideRollout(halted, [], plan).status).toBe('halted');
  });

  test('latency regression and update failures halt; the last report per device counts', () => {
    const slow = [1, 2, 3].map((i) => report(i, 0, { latencyMs: 13 }));
    expect(decideRollout(start, slow, plan).reason).toMatch(/latency 13\.00 ms is 30\.0% over/);
    const failed = [1, 2, 3].map((i) => report(i, 0, { updated: i !== 1 }));
    expect(decideRollout(start, failed, plan).decision).toBe('halt');
    const retried = [...failed, report(1, 0)];
    expect(decideRollout(start, retried, plan).decision).toBe('advance');
  });
});

describe('local directory publish and anti-rollback', () => {
  test('publishes atomically; an older version fails unless --allow-downgrade', async () => {
    const out = path.join(dir, 'releases');
    const publish = async (version: string, allowDowngrade = false) => {
      const image = sign(version);
      const manifest = buildManifest({
        image,
        imageFile: 'fw.signed.bin',
        key: k.pub,
        board: 'nrf52840',
      });
      return publishRelease({ manifest, image, targets: { dir: out }, allowDowngrade });
    };
    const first = await publish('1.2.0');
    expect(fs.readdirSync(first.dir!).sort()).toEqual(['fw.signed.bin', 'manifest.json']);
    await publish('1.3.0');
    expect(readLatestLocal(out, 'nrf52840')!.firmware.version).toBe('1.3.0');
    await expect(publish('1.2.5')).rejects.toMatchObject({ code: 'OTA_DOWNGRADE' });
    expect(fs.existsSync(path.join(out, 'nrf52840-1.2.5'))).toBe(false);
    const forced = await publish('1.2.5', true);
    expect(forced.previousVersion).toBe('1.3.0');
    expect(readLatestLocal(out, 'nrf52840')!.firmware.version).toBe('1.2.5');
    // no temporaries left behind
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('the CLI: sign, manifest, publish; downgrade exits 1', async () => {
    const pem = path.join(dir, 'key.pem');
    fs.writeFileSync(pem, k.privatePem);
    fs.writeFileSync(path.join(dir, 'fw.bin'), firmwareBytes(3000));
    const out = path.join(dir, 'rel');
    for (const [version, expected] of [
      ['1.1.0', 0],
      ['1.0.9', 1],
    ] as const) {
      const img = path.join(dir, `fw-${version}.signed.bin`);
      expect(
        (
          await runCli([
            'ota',
            'sign',
            path.join(dir, 'fw.bin'),
            '--key',
            pem,
            '--version',
            version,
            '--out',
            img,
            '--pad-header',
          ])
        ).code,
      ).toBe(0);
      const mf = path.join(dir, `manifest-${version}.json`);
      const made = await runCli([
        'ota',
        'manifest',
        img,
        '--key',
        pem,
        '--board',
        'rp2040',
        '--out',
        mf,
        '--stages',
        '5,25,100',
        '--min-success',
        '99%',
        '--commit',
        'c0ffee',
        '--run-id',
        '7',
      ]);
      expect(made.code).toBe(0);
      const m = JSON.parse(fs.readFileSync(mf, 'utf8'));
      expect(m.rollout.stages).toEqual([5, 25, 100]);
      expect(m.rollout.health.minUpdateSuccessRate).toBeCloseTo(0.99);
      expect(m.provenance).toMatchObject({ commit: 'c0ffee', runId: '7' });
      const pub = await runCli(['ota', 'publish', '--manifest', mf, '--image', img, '--dir', out]);
      expect(pub.code).toBe(expected);
      if (expected === 1) expect(pub.stderr).toMatch(/older than the last published 1\.1\.0/);
    }
  });
});
