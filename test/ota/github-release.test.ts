import { createHash } from 'node:crypto';
import { signImage } from '../../shared/ota/image';
import { parseImageVersion } from '../../shared/ota/version';
import { buildManifest } from '../../shared/ota/manifest';
import { publishRelease } from '../../shared/ota/release';
import { FakeGitHub } from '../helpers/github-server';
import { firmwareBytes, makeKey } from './keys-helper';

describe('GitHub Release publish (local server speaking the REST endpoints)', () => {
  const gh = new FakeGitHub();
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = await gh.start();
  });
  afterAll(() => gh.stop());

  test('creates the release, uploads assets; a re-run replaces them and never duplicates', async () => {
    const k = makeKey('ecdsa-p256');
    const target = {
      apiUrl,
      token: 'test-token',
      repository: 'acme/firmware',
      tag: 'v2.0.0',
      commit: 'f'.repeat(40),
    };
    const publish = async (seed: number) => {
      const image = signImage(firmwareBytes(5000, seed), k.key, {
        version: parseImageVersion('v2.0.0'),
        padHeader: true,
      });
      const manifest = buildManifest({
        image,
        imageFile: 'app.signed.bin',
        key: k.pub,
        board: 'stm32f746',
        provenance: { commit: target.commit },
      });
      const model = { file: 'model.int8.tflite', bytes: firmwareBytes(300, seed + 7) };
      manifest.model = {
        file: 'model.int8.tflite',
        sha256: createHash('sha256').update(model.bytes).digest('hex'),
        bytes: 300,
        version: null,
      };
      return {
        image,
        result: await publishRelease({ manifest, image, model, targets: { github: target } }),
      };
    };
    const first = await publish(1);
    expect(first.result.github!.assets.map((a) => a.name)).toEqual([
      'app.signed.bin',
      'model.int8.tflite',
      'manifest-stm32f746.json',
    ]);
    expect(gh.releases).toHaveLength(1);
    expect(gh.releases[0]).toMatchObject({ tag_name: 'v2.0.0', target_commitish: target.commit });
    expect(gh.releases[0].body).toMatch(/stm32f746/);

    const second = await publish(2); // same tag, rebuilt image
    expect(gh.releases).toHaveLength(1);
    const assets = gh.releases[0].assets;
    expect(assets.map((a) => a.name).sort()).toEqual([
      'app.signed.bin',
      'manifest-stm32f746.json',
      'model.int8.tflite',
    ]);
    expect(
      Buffer.from(second.image).equals(assets.find((a) => a.name === 'app.signed.bin')!.data),
    ).toBe(true);
    const manifest = JSON.parse(
      assets.find((a) => a.name === 'manifest-stm32f746.json')!.data.toString('utf8'),
    );
    expect(manifest.firmware.sha256).toBe(createHash('sha256').update(second.image).digest('hex'));
    expect(gh.requests.filter((r) => r.method === 'DELETE')).toHaveLength(3);
    expect(gh.requests.every((r) => r.auth === 'Bearer test-token')).toBe(true);
  });

  test('a read-only token fails with a clear message', async () => {
    gh.readOnly = true;
    try {
      const k = makeKey('ed25519');
      const image = signImage(firmwareBytes(100), k.key, {
        version: parseImageVersion('1.0.0'),
        padHeader: true,
      });
      const manifest = buildManifest({ image, imageFile: 'a.bin', key: k.pub, board: 'b' });
      await expect(
        publishRelease({
          manifest,
          image,
          targets: { github: { apiUrl, token: 't', repository: 'acme/firmware', tag: 'v1.0.0' } },
        }),
      ).rejects.toThrow(/Creating release v1\.0\.0 failed: HTTP 403/);
    } finally {
      gh.readOnly = false;
    }
  });
});

describe('GitHub Release anti-rollback', () => {
  test('the last manifest of the board is read from the newest releases', async () => {
    const gh = new FakeGitHub();
    const apiUrl = await gh.start();
    try {
      const k = makeKey('ed25519');
      const target = { apiUrl, token: 't', repository: 'acme/firmware' };
      const publish = (version: string, board: string, allowDowngrade = false) => {
        const image = signImage(firmwareBytes(700), k.key, {
          version: parseImageVersion(version),
          padHeader: true,
        });
        const manifest = buildManifest({ image, imageFile: `${board}.bin`, key: k.pub, board });
        return publishRelease({
          manifest,
          image,
          targets: { github: { ...target, tag: `v${version}` } },
          allowDowngrade,
        });
      };
      await publish('2.0.0', 'rp2040');
      await publish('1.0.0', 'nrf52840'); // another board's versions do not count
      await expect(publish('1.5.0', 'rp2040')).rejects.toMatchObject({ code: 'OTA_DOWNGRADE' });
      expect(gh.releases.map((r) => r.tag_name)).toEqual(['v2.0.0', 'v1.0.0']);
      expect((await publish('1.5.0', 'rp2040', true)).previousVersion).toBe('2.0.0');
    } finally {
      await gh.stop();
    }
  });
});
