import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseElf32, sectionSizes } from '../../shared/elf/elf';
import { TinyOpsError } from '../../shared/errors';

const HAVE_ARM = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;
if (!HAVE_ARM)
  console.warn(
    'arm-none-eabi-gcc not found: ELF size tests against arm-none-eabi-size are skipped',
  );

(HAVE_ARM ? describe : describe.skip)('ELF section sizes', () => {
  let dir: string;
  let elfPath: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-elf-'));
    const src = path.join(dir, 'app.c');
    // Code, read-only data, initialised data and zeroed data, so every Berkeley column is non-zero.
    fs.writeFileSync(
      src,
      [
        'const unsigned char table[300] = {1, 2, 3};',
        'int counter = 7;',
        'static char scratch[1000];',
        'int main(void) { scratch[counter] = (char)table[counter]; return scratch[1]; }',
      ].join('\n'),
    );
    elfPath = path.join(dir, 'app.elf');
    execFileSync('arm-none-eabi-gcc', [
      '-mcpu=cortex-m4',
      '-mthumb',
      '-Os',
      '--specs=nano.specs',
      '--specs=nosys.specs',
      src,
      '-o',
      elfPath,
    ]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('text, data and bss equal arm-none-eabi-size, so flash and RAM do too', () => {
    const out = execFileSync('arm-none-eabi-size', ['-B', elfPath], { encoding: 'utf8' });
    const [text, data, bss] = out.trim().split('\n')[1].trim().split(/\s+/).map(Number);
    const sizes = sectionSizes(parseElf32(new Uint8Array(fs.readFileSync(elfPath)), elfPath));
    expect({ text: sizes.text, data: sizes.data, bss: sizes.bss }).toEqual({ text, data, bss });
    expect(sizes.flash).toBe(text + data);
    expect(sizes.ram).toBe(data + bss);
    expect(sizes.sections.map((s) => s.name)).toEqual(
      expect.arrayContaining(['.text', '.data', '.bss']),
    );
  });

  test('a truncated ELF and a non-ELF file give clear errors', () => {
    const bytes = new Uint8Array(fs.readFileSync(elfPath));
    expect(() => parseElf32(bytes.subarray(0, 100), 'cut.elf')).toThrow(TinyOpsError);
    expect(() =>
      parseElf32(new TextEncoder().encode(':020000040800F2\n'.repeat(10)), 'fw.hex'),
    ).toThrow(/no ELF magic/);
  });
});
