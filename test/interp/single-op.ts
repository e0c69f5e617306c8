import { readModel, writeModel } from '../../shared/tflite';
import type { FbValue, Model, Tensor, TensorType } from '../../shared/tflite/ir';
import { TFLITE_SCHEMA } from '../../shared/tflite/schema.generated';
import { Interpreter, typedView } from '../../shared/interp';

export interface TensorSpec {
  type: TensorType;
  shape: number[];
  /** Per-tensor [scale, zeroPoint] or per-channel scales with zero points 0. */
  quant?: [number, number] | { scales: number[]; axis: number };
  /** Constant values (makes the tensor a weight). */
  data?: ArrayLike<number>;
}

export interface OpSpec {
  op: string;
  version?: number;
  /** Builtin options type and fields; the reader fills in the rest. */
  options?: { type: string; fields: Record<string, FbValue> };
  inputs: Array<TensorSpec | null>;
  outputs: TensorSpec[];
}

function bytesOf(type: TensorType, values: ArrayLike<number>): Uint8Array {
  switch (type) {
    case 'INT8':
      return new Uint8Array(Int8Array.from(values).buffer);
    case 'INT32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'FLOAT32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'INT64':
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    default:
      throw new Error(`test helper: no encoder for ${type}`);
  }
}

/** A one-op model: non-constant inputs become graph inputs, in order. Written with the real
 * writer and read back, so options arrive exactly as the reader decodes them. */
export function singleOpModel(spec: OpSpec): Model {
  const code = Number(
    Object.entries(TFLITE_SCHEMA.enums.BuiltinOperator.names).find(([, n]) => n === spec.op)![0],
  );
  const buffers: Model['buffers'] = [{ data: new Uint8Array(0), external: null }];
  const tensors: Tensor[] = [];
  const graphInputs: number[] = [];
  const add = (t: TensorSpec, name: string): number => {
    let buffer = 0;
    if (t.data) {
      buffers.push({ data: bytesOf(t.type, t.data), external: null });
      buffer = buffers.length - 1;
    }
    const q = t.quant;
    tensors.push({
      name,
      type: t.type,
      shape: t.shape,
      shapeSignature: [],
      buffer,
      quantization:
        q === undefined
          ? null
          : Array.isArray(q)
            ? {
                scale: [q[0]],
                zeroPoint: [q[1]],
                min: [],
                max: [],
                quantizedDimension: 0,
                details: null,
              }
            : {
                scale: q.scales,
                zeroPoint: q.scales.map(() => 0),
                min: [],
                max: [],
                quantizedDimension: q.axis,
                details: null,
              },
      isVariable: false,
      hasRank: true,
      sparsity: null,
      variantTensors: null,
      externalBuffer: 0,
    });
    return tensors.length - 1;
  };
  const inputs = spec.inputs.map((t, i) => {
    if (t === null) return -1;
    const index = add(t, `in${i}`);
    if (!t.data) graphInputs.push(index);
    return index;
  });
  const outputs = spec.outputs.map((t, i) => add(t, `out${i}`));
  const model: Model = {
    version: 3,
    description: 'interp test',
    operatorCodes: [
      {
        builtinCode: code,
        name: spec.op,
        deprecatedBuiltinCode: Math.min(code, 127),
        rawBuiltinCode: code,
        customCode: null,
        version: spec.version ?? 1,
      },
    ],
    subgraphs: [
      {
        name: 'main',
        tensors,
        inputs: graphInputs,
        outputs,
        operators: [
          {
            opcodeIndex: 0,
            inputs,
            outputs,
            intermediates: [],
            builtinOptions: spec.options
              ? { $type: spec.options.type, ...spec.options.fields }
              : null,
            builtinOptions2: null,
            customOptions: null,
            customOptionsFormat: 'FLEXBUFFERS',
            mutatingVariableInputs: [],
            largeCustomOptionsOffset: 0n,
            largeCustomOptionsSize: 0n,
            debugMetadataIndex: -1,
          },
        ],
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
  return readModel(writeModel(model), 'single-op test model');
}

/** Runs a one-op model on the given input values; returns output 0's values. */
export function runOp(spec: OpSpec, ...inputValues: Array<ArrayLike<number>>): number[] {
  const interp = new Interpreter(singleOpModel(spec));
  const inputs = interp.inputs.map((info, k) => bytesOf(info.type, inputValues[k]));
  return Array.from(typedView(interp.invoke(inputs)[0], interp.outputs[0].type));
}
