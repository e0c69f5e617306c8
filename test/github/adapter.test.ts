import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeGitHub } from '../helpers/github-server';
import { runBundled } from '../helpers/run-action';

// shared/github is exercised through an esbuild bundle run by node, as the actions run it.

const STICKY = `
import { stickyMarker, upsertStickyComment } from './shared/github/repo';
(async () => {
  const [target, body] = [process.env.TARGET!, process.env.BODY!];
  const outcome = await upsertStickyComment(
    'test-token',
    { owner: 'tinyops-test', repo: 'firmware', number: 7 },
    stickyMarker('tflite-to-c', target),
    body,
    process.env.SAVE_DIR!,
  );
  console.log(JSON.stringify({ outcome }));
})();
`;

describe('sticky PR comment against a local GitHub API', () => {
  let github: FakeGitHub;
  let apiUrl: string;
  let saveDir: string;
  beforeEach(async () => {
    github = new FakeGitHub();
    apiUrl = await github.start();
    saveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-saved-'));
  });
  afterEach(async () => {
    await github.stop();
    fs.rmSync(saveDir, { recursive: true, force: true });
  });

  const post = (target: string, body: string) =>
    runBundled(STICKY, {
      env: { GITHUB_API_URL: apiUrl, TARGET: target, BODY: body, SAVE_DIR: saveDir },
    }).then((r) => {
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout.trim().split('\n').pop()!).outcome as string;
    });

  test('creates on the first run, updates in place on the second, never duplicates', async () => {
    github.comments.set(7, [{ id: 1, body: 'a person wrote this' }]);
    expect(await post('nano33ble', 'first run')).toBe('created');
    expect(await post('nano33ble', 'second run')).toBe('updated');
    expect(await post('pico', 'other target')).toBe('created');
    expect(await post('nano33ble', 'third run')).toBe('updated');
    const comments = github.comments.get(7)!;
    expect(comments.map((c) => c.body)).toEqual([
      'a person wrote this',
      '<!-- tinyops:tflite-to-c:nano33ble -->\nthird run',
      '<!-- tinyops:tflite-to-c:pico -->\nother target',
    ]);
    expect(github.requests.every((r) => r.auth === 'token test-token')).toBe(true);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  test("a read-only token (a fork's PR) saves the comment for the follow-up instead", async () => {
    github.readOnly = true;
    expect(await post('nano33ble', 'from a fork')).toBe('saved');
    expect(github.comments.get(7) ?? []).toEqual([]);
    const saved = fs.readdirSync(saveDir);
    expect(saved).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(saveDir, saved[0]), 'utf8'))).toMatchObject({
      number: 7,
      marker: '<!-- tinyops:tflite-to-c:nano33ble -->',
      body: '<!-- tinyops:tflite-to-c:nano33ble -->\nfrom a fork',
    });
  });
});

const INPUTS = `
import {
  booleanInput,
  fractionInput,
  integerInput,
  positiveNumberInput,
  runAction,
  sizeInput,
  input,
} from './shared/github/action';
void runAction(async () => {
  const values = {
    s: input('out-dir', 'dflt'),
    b: booleanInput('xxd-naming', false),
    i: integerInput('align', 16),
    z: sizeInput('max-ram', 0),
    n: positiveNumberInput('timeout-seconds') ?? null,
    f: fractionInput('required-agreement') ?? null,
  };
  console.log(JSON.stringify(values));
});
`;

describe('typed inputs and runAction', () => {
  const run = (inputs: Record<string, string>) => runBundled(INPUTS, { inputs });

  test('defaults when unset, parsed values when set (dashes kept in INPUT_ names)', async () => {
    const unset = await run({});
    expect(unset.code).toBe(0);
    expect(JSON.parse(unset.stdout.trim())).toEqual({
      s: 'dflt',
      b: false,
      i: 16,
      z: 0,
      n: null,
      f: null,
    });
    const set = await run({
      'out-dir': ' text ',
      'xxd-naming': 'TRUE',
      align: '32',
      'max-ram': '256KiB',
      'timeout-seconds': '2.5',
      'required-agreement': '99%',
    });
    expect(JSON.parse(set.stdout.trim())).toEqual({
      s: 'text',
      b: true,
      i: 32,
      z: 262144,
      n: 2.5,
      f: 0.99,
    });
  });

  test.each([
    [{ 'xxd-naming': 'maybe' }, /Input "xxd-naming" must be true or false, got "maybe"/],
    [{ align: '1.5' }, /Input "align" must be a whole number, got "1.5"/],
    [{ 'max-ram': '256K' }, /Input "max-ram" must be a size, got "256K"[\s\S]*fix: Write 256KiB/],
    [{ 'timeout-seconds': '0' }, /Input "timeout-seconds" must be a positive number, got "0"/],
    [
      { 'required-agreement': '1.5' },
      /Input "required-agreement" must be a fraction, got "1.5"[\s\S]*fix: Write a fraction/,
    ],
  ])(
    'a bad value %j fails the step naming the input, without a stack trace',
    async (inputs, message) => {
      const r = await run(inputs as Record<string, string>);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^::error::/m);
      expect(decodeURIComponent(r.stdout.replace(/%0A/g, '\n'))).toMatch(message);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    },
  );
});
