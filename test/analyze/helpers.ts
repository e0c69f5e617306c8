import { mulberry32 } from '../../shared/util/prng';
import type { FbUnion, Model, Operator, Tensor, TensorType } from '../../shared/tflite/ir';

/** Deterministic PRNG so a failing case can be replayed from its seed. */
export const prng = mulberry32;

export interface TensorSpec {
  shape: number[];
  type?: TensorType;
  /** Constant data (weights): the tensor gets a buffer of its byte size. */
  constant?: boolean;
  variable?: boolean;
}

export interface OpSpec {
  op: string;
  inputs: number[];
  outputs: number[];
  options?: FbUnion | null;
  version?: number;
}

/** A one-subgraph Model IR built from a spec, the way readModel would present it. */
export function buildModel(spec: {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
}): Model {
  const opNames = [...new Set(spec.ops.map((o) => `${o.op}|${o.version ?? 1}`))];
  const buffers: Model['buffers'] = [{ data: new Uint8Array(0), external: null }];
  const tensors: Tensor[] = spec.tensors.map((t, i) => {
    const type = t.type ?? 'INT8';
    let buffer = 0;
    if (t.constant) {
      const bytes =
        t.shape.reduce((a, b) => a * b, 1) * (type === 'INT32' || type === 'FLOAT32' ? 4 : 1);
      buffers.push({ data: new Uint8Array(bytes), external: null });
      buffer = buffers.length - 1;
    }
    return {
      name: `t${i}`,
      type,
      shape: t.shape,
      shapeSignature: [],
      buffer,
      quantization: null,
      isVariable: t.variable ?? false,
      hasRank: true,
      sparsity: null,
      variantTensors: null,
      externalBuffer: 0,
    };
  });
  const operators: Operator[] = spec.ops.map((o) => ({
    opcodeIndex: opNames.indexOf(`${o.op}|${o.version ?? 1}`),
    inputs: o.inputs,
    outputs: o.outputs,
    intermediates: [],
    builtinOptions: o.options ?? null,
    builtinOptions2: null,
    customOptions: null,
    customOptionsFormat: 'FLEXBUFFERS',
    mutatingVariableInputs: [],
    largeCustomOptionsOffset: 0n,
    largeCustomOptionsSize: 0n,
    debugMetadataIndex: -1,
  }));
  return {
    version: 3,
    description: 'test',
    operatorCodes: opNames.map((key) => {
      const [name, version] = key.split('|');
      return {
        builtinCode: 0,
        name,
        deprecatedBuiltinCode: 0,
        rawBuiltinCode: 0,
        customCode: null,
        version: Number(version),
      };
    }),
    subgraphs: [
      {
        name: 'main',
        tensors,
        inputs: spec.inputs,
        outputs: spec.outputs,
        operators,
        debugMetadataIndex: -1,
      },
    ],
    buffers,
    metadata: [],
    metadataBuffer: [],
    signatureDefs: [],
    externalBufferGroups: [],
    externalBuffers: [],
  };
}

/**
 * A random DAG of elementwise-style ops: each op reads 1-3 earlier tensors (graph inputs or
 * earlier outputs, biased to recent ones so there are both short and long lifetimes) and writes
 * 1-2 new tensors of random sizes; some tensors are variables, some outputs are never read.
 */
export function randomGraph(seed: number): Model {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const tensors: TensorSpec[] = [];
  const newTensor = () => {
    // Sizes from a few bytes to tens of KB, unaligned on purpose.
    const size = 1 + int(rand() < 0.3 ? 40 : rand() < 0.7 ? 3000 : 40000);
    tensors.push({ shape: [1, size], variable: rand() < 0.03 });
    return tensors.length - 1;
  };
  const inputs = Array.from({ length: 1 + int(2) }, newTensor);
  const available = [...inputs];
  const ops: OpSpec[] = [];
  const opCount = 1 + int(30);
  for (let k = 0; k < opCount; k++) {
    const reads = Array.from(
      { length: 1 + int(3) },
      () =>
        available[
          Math.max(0, available.length - 1 - int(Math.min(available.length, rand() < 0.8 ? 3 : 20)))
        ],
    );
    const writes = Array.from({ length: 1 + int(2) }, newTensor);
    ops.push({ op: 'ADD', inputs: [...new Set(reads)], outputs: writes });
    available.push(...writes);
  }
  const outputs = [available[available.length - 1]];
  if (rand() < 0.3) outputs.push(available[int(available.length)]);
  return buildModel({ tensors, ops, inputs, outputs: [...new Set(outputs)] });
}
