import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAction } from '../helpers/run-action';
import { FakeGitHub } from '../helpers/github-server';
import { startMosquitto } from '../helpers/mosquitto';
import { readManifest } from '../../shared/ota/manifest';
import { firmwareBytes, makeKey } from '../ota/keys-helper';

describe('ota-publish action (bundled dist, run as the runner runs it)', () => {
  const gh = new FakeGitHub();
  let apiUrl: string;
  let work: string;
  let broker: Awaited<ReturnType<typeof startMosquitto>> = null;
  beforeAll(async () => {
    apiUrl = await gh.start();
    broker = await startMosquitto();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-ota-action-'));
  });
  afterAll(async () => {
    await gh.stop();
    await broker?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('signs, writes the manifest, publishes to a GitHub Release (twice: no duplicates) and MQTT; masks the key', async () => {
    const k = makeKey('ed25519');
    fs.writeFileSync(path.join(work, 'zephyr.bin'), firmwareBytes(30000));
    fs.writeFileSync(
      path.join(work, 'gate.json'),
      JSON.stringify({ schemaVersion: 1, kind: 'gate', passed: true, failOn: 'error' }),
    );
    const inputs = {
      firmware: 'zephyr.bin',
      'signing-key': k.privatePem,
      board: 'nrf52840',
      reports: 'gate.json',
      'release-tag': 'v3.1.0',
      token: 'test-token',
      stages: '5,50,100',
      ...(broker ? { 'mqtt-url': broker.url } : {}),
    };
    const env = { GITHUB_API_URL: apiUrl, GITHUB_REF: 'refs/tags/v3.1.0' };
    for (let run = 0; run < 2; run++) {
      const r = await runAction('ota-publish', inputs, { cwd: work, env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.outputs).toMatchObject({
        version: '3.1.0',
        'release-id': 'nrf52840-3.1.0',
        'image-path': 'ota-release/zephyr-nrf52840.signed.bin',
        'manifest-path': 'ota-release/manifest.json',
      });
      if (broker)
        expect(r.outputs).toMatchObject({
          'rollout-decision': 'start',
          'rollout-percent': '5',
          'rollout-status': 'rolling',
        });
      // the key only reaches the log as the runner's mask command (which the runner consumes)
      const keyLine = k.privatePem.split('\n')[1];
      expect(r.stdout).toContain(`::add-mask::${keyLine}`);
      expect(
        r.stdout.split('\n').filter((l) => l.includes(keyLine) && !l.startsWith('::add-mask::')),
      ).toEqual([]);
      expect(r.summary).toContain('| Gate | passed |');
    }
    expect(gh.releases).toHaveLength(1);
    expect(gh.releases[0].assets.map((a) => a.name).sort()).toEqual([
      'manifest-nrf52840.json',
      'zephyr-nrf52840.signed.bin',
    ]);
    const m = readManifest(path.join(work, 'ota-release/manifest.json'));
    expect(m.provenance).toMatchObject({
      commit: 'f'.repeat(40),
      repository: 'tinyops-test/firmware',
      runId: '42',
      ref: 'refs/tags/v3.1.0',
    });
    expect(m.firmware.url).toBe(
      'https://github.com/tinyops-test/firmware/releases/download/v3.1.0/zephyr-nrf52840.signed.bin',
    );

    // An older version fails (anti-rollback) with a clear message and no release change, even on
    // a fresh runner (empty out-dir, no MQTT): the last manifest is read from the releases.
    const { 'mqtt-url': _mqtt, ...withoutMqtt } = inputs as Record<string, string>;
    void _mqtt;
    const older = await runAction(
      'ota-publish',
      { ...withoutMqtt, version: '3.0.9', 'release-tag': 'v3.0.9', 'out-dir': 'fresh-runner' },
      { cwd: work, env },
    );
    expect(older.code).toBe(1);
    expect(older.stdout).toMatch(
      /::error::Version 3\.0\.9 is older than the last published 3\.1\.0/,
    );
    expect(gh.releases).toHaveLength(1);
  });
});
