import { parseConfigText } from '../../shared/config/tinyops-yml';
import { parseSize, parseDurationMs, parseFraction } from '../../shared/config/units';
import { TinyOpsError } from '../../shared/errors';

function errorOf(fn: () => unknown): TinyOpsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TinyOpsError) return err;
    throw err;
  }
  throw new Error('expected a TinyOpsError');
}

describe('sizes, durations and fractions', () => {
  test.each([
    ['262144', 262144],
    [262144, 262144],
    ['256KiB', 262144],
    ['1MiB', 1048576],
    ['1.5MiB', 1572864],
    ['512 B', 512],
  ])('%p is %d bytes', (text, bytes) => {
    expect(parseSize(text, 'budgets.max-flash')).toBe(bytes);
  });

  test.each(['256K', '256KB', '1M', '1MB', '2GB', '64kB'])(
    '%s is refused as ambiguous, with the fix',
    (text) => {
      const e = errorOf(() => parseSize(text, 'budgets.max-ram'));
      expect(e.message).toMatch(/ambiguous/);
      expect(e.message).toContain('budgets.max-ram');
      expect(e.hint).toMatch(/iB/);
    },
  );

  test('not a size at all', () => {
    expect(errorOf(() => parseSize('lots', 'x')).message).toMatch(/"lots" is not a size/);
    expect(errorOf(() => parseSize('0.5B', 'x')).message).toMatch(/whole number/);
  });

  test('durations and fractions', () => {
    expect(parseDurationMs('50ms', 'x')).toBe(50);
    expect(parseDurationMs('0.2s', 'x')).toBe(200);
    expect(parseDurationMs('500us', 'x')).toBe(0.5);
    expect(parseDurationMs(12, 'x')).toBe(12);
    expect(parseFraction('90%', 'x')).toBeCloseTo(0.9);
    expect(parseFraction(0.85, 'x')).toBe(0.85);
    expect(() => parseFraction('120%', 'x')).toThrow(/between 0 and 1/);
  });
});

describe('tinyops.yml', () => {
  test('a valid file parses', () => {
    const cfg = parseConfigText(
      [
        'model: models/kws.tflite',
        'targets:',
        '  - board: nano33ble',
        '  - name: custom',
        '    flash: 1MiB',
        '    ram: 256KiB',
        '    core: cortex-m4f',
        'budgets:',
        '  max-flash: 256KiB',
        '  min-accuracy: 90%',
        'fail-on: warning',
      ].join('\n'),
      'tinyops.yml',
    );
    expect(cfg.targets).toHaveLength(2);
    expect(cfg.budgets?.['max-flash']).toBe('256KiB');
  });

  test('an unknown key is named with its path, line and the allowed keys', () => {
    const e = errorOf(() =>
      parseConfigText('targets:\n  - board: esp32\n    flsh: 1MiB\n', 'tinyops.yml'),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/targets\[0\]: unknown key "flsh"; allowed: board, name, flash, ram/);
    expect(e.message).toMatch(/tinyops\.yml:3:5/);
  });

  test('a wrong enum value lists what is allowed', () => {
    const e = errorOf(() => parseConfigText('fail-on: sometimes\n', 'cfg.yml'));
    expect(e.message).toMatch(
      /fail-on: must be one of: "error", "warning", "never" \(cfg\.yml:1:10\)/,
    );
  });

  test('broken YAML names the line', () => {
    const e = errorOf(() => parseConfigText('budgets:\n  max-flash: [1,\n', 'cfg.yml'));
    expect(e.code).toBe('CONFIG_YAML');
    expect(e.where).toMatch(/^cfg\.yml:\d+:\d+$/);
  });
});
