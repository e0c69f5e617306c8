import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAction } from '../helpers/run-action';
import { FakeGitHub, pullRequestPayload } from '../helpers/github-server';
import { describeWithReference, referencePath } from '../helpers/reference';

const BASE_SHA = 'a'.repeat(40);

describeWithReference('constraint-gate action (bundled dist, run as the runner runs it)', () => {
  let github: FakeGitHub;
  let apiUrl: string;
  let work: string;
  beforeAll(async () => {
    github = new FakeGitHub();
    apiUrl = await github.start();
  });
  afterAll(() => github.stop());
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-gate-action-'));
    fs.mkdirSync(path.join(work, 'models'));
    // The PR's model is kws01 (54 kB); at the base commit the same path held ad01 (277 kB).
    fs.copyFileSync(
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      path.join(work, 'models/model.tflite'),
    );
    github.files.set(
      `${BASE_SHA}:models/model.tflite`,
      new Uint8Array(fs.readFileSync(referencePath('mlperf-tiny/ad01_int8.tflite'))),
    );
    github.readOnly = false;
    github.comments.clear();
    github.requests.length = 0;
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const run = (inputs: Record<string, string>, pr = 7, headRepo?: string) =>
    runAction(
      'constraint-gate',
      { token: 'test-token', ...inputs },
      {
        cwd: work,
        env: { GITHUB_API_URL: apiUrl },
        event: {
          name: 'pull_request',
          payload: pullRequestPayload({ number: pr, baseSha: BASE_SHA, headRepo }),
        },
      },
    );

  test('passing PR: base model read through the API, sticky comment created then updated, outputs and summary', async () => {
    const first = await run({ model: 'models/model.tflite', board: 'nano33ble' });
    expect(first.code).toBe(0);
    expect(github.requests.map((r) => r.url)).toContain(
      `/repos/tinyops-test/firmware/contents/models/model.tflite?ref=${BASE_SHA}`,
    );
    expect(github.requests.map((r) => r.auth)).toEqual(
      github.requests.map(() => 'token test-token'),
    );
    expect(first.outputs.passed).toBe('true');
    expect(Number(first.outputs['flash-bytes'])).toBe(53936 + 18432);
    expect(Number(first.outputs['ram-bytes'])).toBeGreaterThan(16000);
    expect(Number(first.outputs['latency-ms'])).toBeGreaterThan(0);
    expect(first.outputs['report-path']).toBe('tinyops-gate-report.json');
    const report = JSON.parse(fs.readFileSync(path.join(work, 'tinyops-gate-report.json'), 'utf8'));
    expect(report.baseline.source).toBe(`models/model.tflite@${BASE_SHA.slice(0, 7)}`);
    expect(first.summary).toContain('TinyOps constraint gate — nano33ble');
    // The change against the base model: 53,936 - 276,976 bytes of model = -217.8 KiB.
    expect(first.summary).toContain(
      '| Flash | 1.00 MiB (board) | 70.7 KiB *(est.)* | −217.8 KiB (−75.5%) |',
    );
    expect(first.summary).toContain('xychart-beta');
    const comments = github.comments.get(7)!;
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('<!-- tinyops:constraint-gate:nano33ble -->');

    const second = await run({
      model: 'models/model.tflite',
      board: 'nano33ble',
      'max-ram': '64KiB',
    });
    expect(second.code).toBe(0);
    expect(github.comments.get(7)).toHaveLength(1); // updated in place, not duplicated
    expect(github.comments.get(7)![0].body).toContain('64.0 KiB');
    expect(second.stdout).toMatch(/PR comment for nano33ble: updated/);
  });

  test('failing PR: exit 1, an annotation on the model file, one comment per target', async () => {
    const res = await run({
      model: 'models/model.tflite',
      board: 'nano33ble, pico',
      'max-ram': '16KiB',
    });
    expect(res.code).toBe(1);
    expect(res.outputs.passed).toBe('false');
    expect(
      res.commands.some(
        (c) =>
          c.startsWith('::error') && c.includes('file=models/model.tflite') && c.includes('RAM'),
      ),
    ).toBe(true);
    expect(res.stdout).toMatch(/::error::The model does not meet its budgets on nano33ble, pico/);
    expect(
      github.comments
        .get(7)!
        .map((c) => c.body.split('\n')[0])
        .sort(),
    ).toEqual([
      '<!-- tinyops:constraint-gate:nano33ble -->',
      '<!-- tinyops:constraint-gate:pico -->',
    ]);
  });

  test('fork PR: the read-only token cannot comment, so the comment is saved; the follow-up posts it', async () => {
    github.readOnly = true;
    const res = await run(
      { model: 'models/model.tflite', board: 'nano33ble' },
      9,
      'someone/firmware-fork',
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/PR comment for nano33ble: saved/);
    expect(github.comments.get(9)).toBeUndefined();
    const saved = fs.readdirSync(path.join(work, 'tinyops-gate-comments'));
    expect(saved).toHaveLength(1);
    expect(res.summary).toContain('TinyOps constraint gate');

    github.readOnly = false;
    const follow = await runAction(
      'constraint-gate',
      { token: 'write-token', mode: 'post-saved-comments', 'comment-dir': 'tinyops-gate-comments' },
      {
        cwd: work,
        env: { GITHUB_API_URL: apiUrl },
        event: { name: 'workflow_run', payload: {} },
      },
    );
    expect(follow.code).toBe(0);
    expect(github.comments.get(9)).toHaveLength(1);
    expect(github.comments.get(9)![0].body).toContain('<!-- tinyops:constraint-gate:nano33ble -->');
  });

  test('a model new in the PR has no baseline; the gate still decides', async () => {
    github.files.clear();
    const res = await run({ model: 'models/model.tflite', board: 'pico' });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/does not exist at the base commit/);
  });

  test.each([
    [
      { model: 'models/missing.tflite', board: 'nano33ble' },
      /Model file not found: models\/missing.tflite/,
    ],
    [
      { model: 'models/model.tflite', board: 'nano33-ble' },
      /Unknown board "nano33-ble": did you mean "nano33ble"\?/,
    ],
    [
      { model: 'models/model.tflite', board: 'nano33ble', 'max-ram': '64KB' },
      /"64KB" is ambiguous/,
    ],
    [
      { model: 'models/model.tflite', board: 'nano33ble', 'fail-on': 'sometimes' },
      /Input "fail-on" must be one of/,
    ],
  ])('bad input %p fails with a clear message', async (inputs, message) => {
    const res = await run(inputs);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(message);
    expect(res.stdout).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  test('an invalid tinyops.yml fails naming the key path and line', async () => {
    fs.writeFileSync(
      path.join(work, 'tinyops.yml'),
      'model: models/model.tflite\ntargets:\n  - board: nano33ble\n    flsh: 1MiB\n',
    );
    const res = await run({});
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/targets\[0\]: unknown key "flsh"/);
    expect(res.stdout).toMatch(/tinyops\.yml:4:5/);
  });
});
