import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { tfliteToC, generateC, xxdName, identifierFromFile } from '../../shared/codegen';
import { describeWithReference, referencePath } from '../helpers/reference';
import { runCli } from '../helpers/cli';

const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const HAVE_ARM = has('arm-none-eabi-gcc') && has('arm-none-eabi-g++');
if (!HAVE_ARM)
  console.warn(
    'arm-none-eabi-gcc/g++ not found: the cross-compile checks of generated C are skipped',
  );

const MODELS = [
  'mlperf-tiny/kws01_ref_int8.tflite',
  'tflm/examples/hello_world__hello_world_int8.tflite',
  // The largest reference model: 1.9 MB.
  'mlperf-tiny/ic01_resnet_large_float32.tflite',
];

/** A host program that checks the array's bytes and length against the .tflite on disk. */
function checker(header: string, array: string, length: string): string {
  return [
    '#include <stdio.h>',
    '#include <stdlib.h>',
    '#include <string.h>',
    '#include <stdint.h>',
    `#include "${header}"`,
    'int main(int argc, char **argv) {',
    '  FILE *f = fopen(argv[1], "rb");',
    '  if (!f || argc < 2) return 2;',
    '  fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);',
    '  unsigned char *buf = (unsigned char *)malloc((size_t)n);',
    '  if (fread(buf, 1, (size_t)n, f) != (size_t)n) return 3;',
    `  if ((long)${length} != n) { printf("length %u != %ld\\n", ${length}, n); return 4; }`,
    `  if (memcmp(buf, ${array}, (size_t)n) != 0) { printf("bytes differ\\n"); return 5; }`,
    `  if (((uintptr_t)${array}) % 16 != 0) { printf("misaligned\\n"); return 6; }`,
    '  printf("ok %ld\\n", n);',
    '  free(buf); fclose(f); return 0;',
    '}',
  ].join('\n');
}

describeWithReference('tflite-to-c', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-codegen-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(MODELS)(
    '%s: C99 and C++17 builds on the host hold the exact bytes and length',
    (rel) => {
      const out = path.join(dir, path.basename(rel, '.tflite'));
      const result = tfliteToC(referencePath(rel), out);
      const header = `${result.arrayName}.h`;
      fs.writeFileSync(
        path.join(out, 'check.c'),
        checker(header, result.arrayName, result.lengthName),
      );
      fs.copyFileSync(path.join(out, 'check.c'), path.join(out, 'check.cpp'));
      const flags = ['-Wall', '-Wextra', '-Werror', '-I', out];
      execFileSync('gcc', [
        '-std=c99',
        ...flags,
        path.join(out, 'check.c'),
        path.join(out, `${result.arrayName}.c`),
        '-o',
        path.join(out, 'c.out'),
      ]);
      execFileSync('g++', [
        '-std=c++17',
        ...flags,
        '-x',
        'c++',
        path.join(out, 'check.cpp'),
        '-x',
        'c++',
        path.join(out, `${result.arrayName}.c`),
        '-o',
        path.join(out, 'cpp.out'),
      ]);
      for (const exe of ['c.out', 'cpp.out']) {
        expect(
          execFileSync(path.join(out, exe), [referencePath(rel)], { encoding: 'utf8' }),
        ).toMatch(/^ok \d+/);
      }
    },
  );

  (HAVE_ARM ? test : test.skip)(
    'cross-compiles for Cortex-M4 as C99 and C++17 with -Werror, array aligned in its section',
    () => {
      const out = path.join(dir, 'arm');
      const result = tfliteToC(referencePath(MODELS[0]), out, {
        section: '.rodata.model',
        align: 32,
      });
      const src = path.join(out, `${result.arrayName}.c`);
      const flags = ['-mcpu=cortex-m4', '-mthumb', '-Wall', '-Wextra', '-Werror', '-c', '-I', out];
      execFileSync('arm-none-eabi-gcc', ['-std=c99', ...flags, src, '-o', path.join(out, 'c.o')]);
      execFileSync('arm-none-eabi-g++', [
        '-std=c++17',
        ...flags,
        '-x',
        'c++',
        src,
        '-o',
        path.join(out, 'cpp.o'),
      ]);
      for (const obj of ['c.o', 'cpp.o']) {
        const sections = execFileSync('arm-none-eabi-objdump', ['-h', path.join(out, obj)], {
          encoding: 'utf8',
        });
        const line = sections.split('\n').find((l) => l.includes('.rodata.model'))!;
        expect(line).toBeDefined();
        expect(parseInt(line.trim().split(/\s+/)[2], 16)).toBe(53936); // the section holds the model
        expect(line).toMatch(/2\*\*5/); // aligned to 32
        const symbols = execFileSync('arm-none-eabi-nm', [path.join(out, obj)], {
          encoding: 'utf8',
        });
        expect(symbols).toMatch(new RegExp(`R ${result.arrayName}$`, 'm')); // C linkage, not mangled
      }
    },
  );

  test('xxd naming matches xxd -i, and the incbin form assembles to the same bytes', () => {
    const out = path.join(dir, 'forms');
    const rel = MODELS[1];
    const xxd = tfliteToC(referencePath(rel), path.join(out, 'xxd'), { xxdNaming: true });
    expect(xxd.arrayName).toBe('hello_world__hello_world_int8_tflite');
    expect(xxd.lengthName).toBe('hello_world__hello_world_int8_tflite_len');
    if (has('xxd')) {
      const ref = execFileSync('xxd', ['-i', path.basename(referencePath(rel))], {
        cwd: path.dirname(referencePath(rel)),
        encoding: 'utf8',
      });
      expect(ref).toContain(`unsigned char ${xxd.arrayName}[]`);
      expect(ref).toContain(`unsigned int ${xxd.lengthName} =`);
    }
    const inc = tfliteToC(referencePath(rel), path.join(out, 'incbin'), {
      incbin: true,
      name: 'hello_model',
    });
    const incDir = path.join(out, 'incbin');
    fs.writeFileSync(
      path.join(incDir, 'check.c'),
      checker('hello_model.h', 'hello_model', 'hello_model_len'),
    );
    execFileSync('gcc', [
      '-std=c99',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-I',
      incDir,
      path.join(incDir, 'check.c'),
      path.join(incDir, 'hello_model.S'),
      '-o',
      path.join(incDir, 'a.out'),
    ]);
    expect(
      execFileSync(path.join(incDir, 'a.out'), [referencePath(rel)], { encoding: 'utf8' }),
    ).toMatch(/^ok/);
    expect(inc.paths.map((p) => path.basename(p)).sort()).toEqual([
      'hello_model.S',
      'hello_model.h',
      'hello_model.tflite',
    ]);
  });

  test.each<[string, string, { xxdNaming?: boolean; incbin?: boolean }]>([
    // The incbin form is for large models: the largest one (a 1.9 MB C array is covered above).
    ['xxd naming', MODELS[0], { xxdNaming: true }],
    ['incbin', MODELS[2], { incbin: true }],
  ])(
    '%s form (%s): C99 and C++17 host programs hold the exact bytes and length',
    (_form, rel, options) => {
      const out = path.join(dir, `largest-${options.xxdNaming ? 'xxd' : 'incbin'}`);
      const result = tfliteToC(referencePath(rel), out, options);
      if (options.xxdNaming) expect(result.lengthName).toBe(`${result.arrayName}_len`);
      const base = options.xxdNaming ? result.arrayName : identifierFromFile(rel);
      const src = path.join(out, `${base}.${options.incbin ? 'S' : 'c'}`);
      fs.writeFileSync(
        path.join(out, 'check.c'),
        checker(`${base}.h`, result.arrayName, result.lengthName),
      );
      const flags = ['-Wall', '-Wextra', '-Werror', '-I', out];
      execFileSync('gcc', [
        '-std=c99',
        ...flags,
        path.join(out, 'check.c'),
        src,
        '-o',
        path.join(out, 'c.out'),
      ]);
      execFileSync('g++', [
        '-std=c++17',
        ...flags,
        '-x',
        'c++',
        path.join(out, 'check.c'),
        ...(options.incbin ? ['-x', 'assembler-with-cpp', src] : ['-x', 'c++', src]),
        '-o',
        path.join(out, 'cpp.out'),
      ]);
      for (const exe of ['c.out', 'cpp.out'])
        expect(execFileSync(path.join(out, exe), [referencePath(rel)], { encoding: 'utf8' })).toBe(
          `ok ${fs.statSync(referencePath(rel)).size}\n`,
        );
      if (HAVE_ARM) {
        const arm = ['-mcpu=cortex-m4', '-mthumb', '-Wall', '-Wextra', '-Werror', '-c', '-I', out];
        execFileSync('arm-none-eabi-gcc', [...arm, src, '-o', path.join(out, 'arm.o')]);
        const size = execFileSync('arm-none-eabi-nm', ['-S', path.join(out, 'arm.o')], {
          encoding: 'utf8',
        });
        // The array symbol is exactly the model's size (nm -S: address, size, type, name).
        const line = size.split('\n').find((l) => l.endsWith(` ${result.arrayName}`))!;
        expect(parseInt(line.split(' ')[1], 16)).toBe(fs.statSync(referencePath(rel)).size);
      }
    },
  );

  test('the same input gives byte-identical files; the header carries the facts', () => {
    const bytes = new Uint8Array(fs.readFileSync(referencePath(MODELS[0])));
    const a = generateC(bytes, { sourceName: 'kws.tflite' });
    const b = generateC(bytes, { sourceName: 'kws.tflite' });
    expect(a.files).toEqual(b.files);
    const header = a.files.find((f) => f.name === 'kws.h')!.content as string;
    expect(header).toContain(
      '#define KWS_SHA256 "aeea436800704fce17b17292e4412630ad856e9d777c044c64ef748a880bd0ae"',
    );
    expect(header).toContain('#define KWS_LEN 53936u');
    expect(header).toMatch(/#define KWS_TINYOPS_VERSION "\d+\.\d+\.\d+"/);
    expect(header).toContain('#define KWS_ARENA_BYTES 16000u');
    expect(header).toContain('input 0: INT8[1,49,10,1]');
    expect(header).toMatch(/CONV_2D x5, DEPTHWISE_CONV_2D x4/);
  });

  test('names: derived, sanitized, and a bad given name is refused', () => {
    expect(identifierFromFile('models/My-Model.v2.tflite')).toBe('my_model_v2');
    expect(identifierFromFile('1st.tflite')).toBe('model_1st');
    expect(identifierFromFile('int.tflite')).toBe('model_int');
    expect(xxdName('1-model.v2.tflite')).toBe('__1_model_v2_tflite');
    const bytes = new Uint8Array(fs.readFileSync(referencePath(MODELS[1])));
    expect(() => generateC(bytes, { sourceName: 'm.tflite', name: '2bad' })).toThrow(
      /not a valid C identifier/,
    );
    expect(() => generateC(bytes, { sourceName: 'm.tflite', align: 12 })).toThrow(/power of two/);
  });

  test('CLI: a missing path and a non-TFLite file fail clearly and write nothing', async () => {
    const out = path.join(dir, 'cli-bad');
    const missing = await runCli(['tflite-to-c', path.join(dir, 'nope.tflite'), '--out-dir', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Model file not found/);
    const junk = path.join(dir, 'junk.tflite');
    fs.writeFileSync(junk, 'this is not a flatbuffer, just some text');
    const bad = await runCli(['tflite-to-c', junk, '--out-dir', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a TFLite model/);
    expect(fs.existsSync(out)).toBe(false);
    const usage = await runCli(['tflite-to-c', junk]);
    expect(usage.code).toBe(2);
  });
});
