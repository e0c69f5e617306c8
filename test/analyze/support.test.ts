import { loadModelFile } from '../../shared/tflite';
import { runtimeSupport, TINYOPS_KERNELS } from '../../shared/analyze';
import { describeWithReference, referencePath } from '../helpers/reference';

const load = (rel: string) => loadModelFile(referencePath(rel)).model;

describeWithReference('op support per runtime', () => {
  it('kws01 int8 runs everywhere; CMSIS-NN optimizes all but RESHAPE', () => {
    const model = load('mlperf-tiny/kws01_ref_int8.tflite');
    for (const runtime of ['tinyops', 'tflm-reference', 'cmsis-nn'] as const)
      expect(runtimeSupport(model, runtime).supported).toBe(true);
    const cmsis = runtimeSupport(model, 'cmsis-nn');
    expect(cmsis.ops.filter((o) => o.status !== 'optimized').map((o) => o.op)).toEqual(['RESHAPE']);
  });

  it('float models run, but CMSIS-NN falls back to reference kernels', () => {
    const cmsis = runtimeSupport(load('mlperf-tiny/ic01_resnet_float32.tflite'), 'cmsis-nn');
    expect(cmsis.supported).toBe(true);
    expect(cmsis.ops.some((o) => o.status === 'optimized')).toBe(false);
    expect(cmsis.ops.find((o) => o.op === 'CONV_2D')?.detail).toMatch(/reference fallback/);
  });

  it('hybrid models (float activations, int8 weights) are refused with that reason', () => {
    const model = load('mlperf-tiny/kws01_ref_float32.tflite');
    const tflm = runtimeSupport(model, 'tflm-reference');
    expect(tflm.supported).toBe(false);
    expect(tflm.ops.find((o) => o.op === 'CONV_2D' && o.status === 'unsupported')?.reason).toBe(
      'hybrid model',
    );
    expect(runtimeSupport(model, 'tinyops').unsupported.join('\n')).toMatch(
      /CONV_2D v2 \(FLOAT32\): hybrid model/,
    );
  });

  it('names custom ops: the Ethos-U op needs the NPU, the signal ops have TFLM kernels', () => {
    const vela = runtimeSupport(load('tflm/examples/person_detect_vela.tflite'), 'tflm-reference');
    expect(vela.unsupported).toHaveLength(1);
    expect(vela.unsupported[0]).toMatch(/ethos-u .*custom op.*Ethos-U NPU/);
    const audio = load('tflm/examples/micro_speech__audio_preprocessor_int8.tflite');
    const tflm = runtimeSupport(audio, 'tflm-reference');
    expect(tflm.ops.find((o) => o.op === 'SignalRfft')?.status).toBe('supported');
    const ours = runtimeSupport(audio, 'tinyops');
    expect(ours.ops.find((o) => o.op === 'SignalRfft')?.reason).toBe('custom op');
    expect(ours.ops.find((o) => o.op === 'CAST')?.reason).toBe('op missing');
  });

  it('int16 activations are a missing type for TinyOps and fine for TFLite Micro', () => {
    const model = load('tflm/seanet-int16/conv__conv0.tflite');
    const ours = runtimeSupport(model, 'tinyops');
    expect(ours.ops[0]).toMatchObject({
      op: 'CONV_2D',
      type: 'INT16',
      status: 'unsupported',
      reason: 'type missing',
    });
    expect(runtimeSupport(model, 'tflm-reference').supported).toBe(true);
    expect(runtimeSupport(model, 'cmsis-nn').ops[0].status).toBe('optimized');
  });

  it('SVDF: TinyOps lacks the op, CMSIS-NN optimizes it', () => {
    const model = load('tflm/examples/keyword_scrambled_8bit.tflite');
    expect(runtimeSupport(model, 'tinyops').ops.find((o) => o.op === 'SVDF')?.reason).toBe(
      'op missing',
    );
    expect(runtimeSupport(model, 'cmsis-nn').ops.find((o) => o.op === 'SVDF')?.status).toBe(
      'optimized',
    );
  });

  it('an op version newer than TinyOps implements is named as such', () => {
    const model = load('mlperf-tiny/kws01_ref_int8.tflite');
    const conv = model.operatorCodes.find((c) => c.name === 'CONV_2D')!;
    conv.version = TINYOPS_KERNELS.CONV_2D.maxVersion + 1;
    const ours = runtimeSupport(model, 'tinyops');
    expect(ours.ops.find((o) => o.op === 'CONV_2D')?.reason).toBe('version too new');
    expect(runtimeSupport(model, 'tflm-reference').supported).toBe(true);
  });
});
