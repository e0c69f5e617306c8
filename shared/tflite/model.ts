import type {
  FbTable,
  FbUnion,
  FbValue,
  Metadata,
  Model,
  ModelBuffer,
  Operator,
  OperatorCode,
  Quantization,
  Subgraph,
  Tensor,
  TensorType,
} from './ir';
import { TENSOR_TYPE_BYTES } from './ir';
import { TFLITE_SCHEMA } from './schema.generated';
import { FlatbufferReader } from './flatbuffer-reader';
import { FlatbufferWriter } from './flatbuffer-writer';
import { TfliteFormatError } from './errors';

const FILE_IDENTIFIER = 'TFL3';
const BUILTIN_NAMES = TFLITE_SCHEMA.enums.BuiltinOperator.names;
const CUSTOM_CODE = 32;

const arr = <T>(v: FbValue): T[] => (v === null || v === undefined ? [] : (v as unknown as T[]));
const num = (v: FbValue): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const str = (v: FbValue): string => (v === null ? '' : (v as string));
const big = (v: FbValue): bigint => (typeof v === 'bigint' ? v : BigInt((v as number) ?? 0));

/** Reads and verifies a .tflite file into the model IR. Throws TfliteFormatError on any
 * structural problem, naming the field and byte offset. */
export function readModel(bytes: Uint8Array, source?: string): Model {
  const reader = new FlatbufferReader(bytes, TFLITE_SCHEMA, source);
  const raw = reader.readRoot(FILE_IDENTIFIER);
  const fail = (message: string, field: string): never => {
    throw new TfliteFormatError(message, field, 0, source);
  };
  const model = fromRaw(raw, bytes, fail);
  validateModel(model, fail);
  return model;
}

function fromRaw(raw: FbTable, file: Uint8Array, fail: (m: string, f: string) => never): Model {
  const operatorCodes = arr<FbTable>(raw.operator_codes).map((c, i): OperatorCode => {
    const deprecated = num(c.deprecated_builtin_code);
    const rawCode = builtinCodeValue(c.builtin_code);
    // The deprecated field holds codes below 127; newer codes live only in builtin_code.
    const builtinCode = Math.max(rawCode, deprecated);
    const customCode = c.custom_code as string | null;
    const name =
      builtinCode === CUSTOM_CODE
        ? (customCode ?? 'CUSTOM')
        : (BUILTIN_NAMES[String(builtinCode)] ?? `BUILTIN_${builtinCode}`);
    if (deprecated < 0 && deprecated !== -128)
      fail(`negative deprecated_builtin_code ${deprecated}`, `Model.operator_codes[${i}]`);
    return {
      builtinCode,
      name,
      deprecatedBuiltinCode: deprecated,
      rawBuiltinCode: rawCode,
      customCode,
      version: num(c.version),
    };
  });
  const buffers = arr<FbTable>(raw.buffers).map((b, i): ModelBuffer => {
    const offset = big(b.offset);
    const size = big(b.size);
    if (offset > 1n) {
      // Data stored after the flatbuffer (models over 2 GB): offset is from the file's start.
      if (offset + size > BigInt(file.length))
        fail(
          `external data ${offset}+${size} runs past the end of the file (${file.length} bytes)`,
          `Model.buffers[${i}].offset`,
        );
      return {
        data: file.subarray(Number(offset), Number(offset + size)),
        external: { offset, size },
      };
    }
    return { data: (b.data as Uint8Array | null) ?? new Uint8Array(0), external: null };
  });
  return {
    version: num(raw.version),
    description: str(raw.description),
    operatorCodes,
    subgraphs: arr<FbTable>(raw.subgraphs).map(subgraphFromRaw),
    buffers,
    metadata: arr<FbTable>(raw.metadata).map((m): Metadata => ({
      name: str(m.name),
      buffer: num(m.buffer),
    })),
    metadataBuffer: arr<number>(raw.metadata_buffer),
    signatureDefs: arr<FbTable>(raw.signature_defs),
    externalBufferGroups: arr<FbTable>(raw.external_buffer_groups),
    externalBuffers: arr<FbTable>(raw.external_buffers),
  };
}

function builtinCodeValue(v: FbValue): number {
  if (typeof v === 'number') return v;
  const entry = Object.entries(BUILTIN_NAMES).find(([, n]) => n === v);
  return entry ? Number(entry[0]) : 0;
}

function subgraphFromRaw(s: FbTable): Subgraph {
  return {
    name: str(s.name),
    tensors: arr<FbTable>(s.tensors).map(tensorFromRaw),
    inputs: arr<number>(s.inputs),
    outputs: arr<number>(s.outputs),
    operators: arr<FbTable>(s.operators).map(operatorFromRaw),
    debugMetadataIndex: num(s.debug_metadata_index),
  };
}

function tensorFromRaw(t: FbTable): Tensor {
  const q = t.quantization as FbTable | null;
  let quantization: Quantization | null = null;
  if (q) {
    quantization = {
      scale: arr<number>(q.scale),
      zeroPoint: arr<bigint>(q.zero_point).map((z) => Number(z)),
      min: arr<number>(q.min),
      max: arr<number>(q.max),
      quantizedDimension: num(q.quantized_dimension),
      details: (q.details as FbUnion | null) ?? null,
    };
  }
  return {
    name: str(t.name),
    type: (typeof t.type === 'string' ? t.type : `UNKNOWN_${t.type}`) as TensorType,
    shape: arr<number>(t.shape),
    shapeSignature: arr<number>(t.shape_signature),
    buffer: num(t.buffer),
    quantization,
    isVariable: t.is_variable as boolean,
    hasRank: t.has_rank as boolean,
    sparsity: (t.sparsity as FbTable | null) ?? null,
    variantTensors: t.variant_tensors === null ? null : arr<FbTable>(t.variant_tensors),
    externalBuffer: num(t.external_buffer),
  };
}

function operatorFromRaw(o: FbTable): Operator {
  return {
    opcodeIndex: num(o.opcode_index),
    inputs: arr<number>(o.inputs),
    outputs: arr<number>(o.outputs),
    intermediates: arr<number>(o.intermediates),
    builtinOptions: (o.builtin_options as FbUnion | null) ?? null,
    builtinOptions2: (o.builtin_options_2 as FbUnion | null) ?? null,
    customOptions: (o.custom_options as Uint8Array | null) ?? null,
    customOptionsFormat: o.custom_options_format as string | number,
    mutatingVariableInputs: arr<boolean>(o.mutating_variable_inputs),
    largeCustomOptionsOffset: big(o.large_custom_options_offset),
    largeCustomOptionsSize: big(o.large_custom_options_size),
    debugMetadataIndex: num(o.debug_metadata_index),
  };
}

/** The cross-references a runtime relies on: every index in range, every tensor type known. */
function validateModel(model: Model, fail: (m: string, f: string) => never): void {
  if (model.subgraphs.length === 0) fail('the model has no subgraphs', 'Model.subgraphs');
  model.metadata.forEach((m, i) => {
    if (m.buffer >= model.buffers.length)
      fail(
        `metadata "${m.name}" names buffer ${m.buffer}, but there are ${model.buffers.length}`,
        `Model.metadata[${i}].buffer`,
      );
  });
  model.subgraphs.forEach((sg, s) => {
    const at = `Model.subgraphs[${s}]`;
    const tensorIndex = (index: number, field: string, optional: boolean) => {
      if ((optional && index === -1) || (index >= 0 && index < sg.tensors.length)) return;
      fail(
        `tensor index ${index} is out of range (the subgraph has ${sg.tensors.length} tensors)`,
        field,
      );
    };
    sg.tensors.forEach((t, i) => {
      const field = `${at}.tensors[${i}]`;
      if (t.type.startsWith('UNKNOWN_'))
        fail(`tensor "${t.name}" has unknown type ${t.type.slice(8)}`, `${field}.type`);
      if (t.buffer >= model.buffers.length)
        fail(
          `tensor "${t.name}" names buffer ${t.buffer}, but there are ${model.buffers.length}`,
          `${field}.buffer`,
        );
      t.shape.forEach((d, k) => {
        if (d < 0) fail(`tensor "${t.name}" has negative dimension ${d}`, `${field}.shape[${k}]`);
      });
      const q = t.quantization;
      if (
        q &&
        q.zeroPoint.length > 0 &&
        q.scale.length > 0 &&
        q.zeroPoint.length !== q.scale.length
      )
        fail(
          `tensor "${t.name}" has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`,
          `${field}.quantization`,
        );
      const data = model.buffers[t.buffer]?.data;
      const elementBytes = TENSOR_TYPE_BYTES[t.type];
      if (
        data &&
        data.length > 0 &&
        t.sparsity === null &&
        elementBytes >= 1 &&
        t.type !== 'STRING'
      ) {
        const expected = t.shape.reduce((a, b) => a * b, 1) * elementBytes;
        if (data.length !== expected)
          fail(
            `tensor "${t.name}" of shape [${t.shape}] ${t.type} needs ${expected} bytes, its buffer ${t.buffer} holds ${data.length}`,
            `${field}.buffer`,
          );
      }
    });
    sg.inputs.forEach((t, i) => tensorIndex(t, `${at}.inputs[${i}]`, false));
    sg.outputs.forEach((t, i) => tensorIndex(t, `${at}.outputs[${i}]`, false));
    sg.operators.forEach((op, o) => {
      const field = `${at}.operators[${o}]`;
      if (op.opcodeIndex >= model.operatorCodes.length)
        fail(
          `opcode index ${op.opcodeIndex} is out of range (the model has ${model.operatorCodes.length} op codes)`,
          `${field}.opcode_index`,
        );
      op.inputs.forEach((t, i) => tensorIndex(t, `${field}.inputs[${i}]`, true));
      op.outputs.forEach((t, i) => tensorIndex(t, `${field}.outputs[${i}]`, false));
      op.intermediates.forEach((t, i) => tensorIndex(t, `${field}.intermediates[${i}]`, false));
    });
  });
}

/** The op's name (`CONV_2D`, or the custom code) for an operator of a subgraph. */
export function opName(model: Model, op: Operator): string {
  return model.operatorCodes[op.opcodeIndex].name;
}

/** Writes the IR as a .tflite file. Buffers read from after the flatbuffer are written there
 * again (16-byte aligned), the rest inline. */
export function writeModel(model: Model): Uint8Array {
  const external = model.buffers.filter((b) => b.external !== null);
  if (external.length === 0) return encode(toRaw(model, null));
  // Offsets depend on the flatbuffer's size, which does not depend on their values once every
  // offset field is present: encode with placeholders, then again with the real offsets.
  const placeholder = model.buffers.map((b) => (b.external ? 2n : 0n));
  const first = encode(toRaw(model, placeholder));
  let cursor = align16(first.length);
  const offsets = model.buffers.map((b) => {
    if (!b.external) return 0n;
    const at = BigInt(cursor);
    cursor = align16(cursor + b.data.length);
    return at;
  });
  const flat = encode(toRaw(model, offsets));
  if (flat.length !== first.length) throw new Error('flatbuffer size changed between passes');
  const out = new Uint8Array(cursor);
  out.set(flat, 0);
  model.buffers.forEach((b, i) => {
    if (b.external) out.set(b.data, Number(offsets[i]));
  });
  return out;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
/** Empty vectors are left out, as the converter does, rather than written as length 0. */
const nonEmpty = <T>(values: T[]): T[] | null => (values.length > 0 ? values : null);

function encode(raw: FbTable): Uint8Array {
  return new FlatbufferWriter(TFLITE_SCHEMA).finish(raw, FILE_IDENTIFIER);
}

function toRaw(model: Model, externalOffsets: bigint[] | null): FbTable {
  return {
    version: model.version,
    operator_codes: model.operatorCodes.map((c) => ({
      deprecated_builtin_code: c.deprecatedBuiltinCode,
      custom_code: c.customCode,
      version: c.version,
      builtin_code: c.rawBuiltinCode,
    })),
    subgraphs: model.subgraphs.map((sg) => ({
      tensors: sg.tensors.map((t) => ({
        shape: t.shape,
        type: t.type,
        buffer: t.buffer,
        name: t.name || null,
        quantization: t.quantization
          ? {
              min: nonEmpty(t.quantization.min),
              max: nonEmpty(t.quantization.max),
              scale: nonEmpty(t.quantization.scale),
              zero_point: nonEmpty(t.quantization.zeroPoint.map((z) => BigInt(z))),
              details: t.quantization.details,
              quantized_dimension: t.quantization.quantizedDimension,
            }
          : null,
        is_variable: t.isVariable,
        sparsity: t.sparsity,
        shape_signature: t.shapeSignature.length > 0 ? t.shapeSignature : null,
        has_rank: t.hasRank,
        variant_tensors: t.variantTensors,
        external_buffer: t.externalBuffer,
      })),
      inputs: sg.inputs,
      outputs: sg.outputs,
      operators: sg.operators.map((op) => ({
        opcode_index: op.opcodeIndex,
        inputs: op.inputs,
        outputs: op.outputs,
        builtin_options: op.builtinOptions,
        custom_options: op.customOptions,
        custom_options_format: op.customOptionsFormat,
        mutating_variable_inputs:
          op.mutatingVariableInputs.length > 0 ? op.mutatingVariableInputs : null,
        intermediates: op.intermediates.length > 0 ? op.intermediates : null,
        large_custom_options_offset: op.largeCustomOptionsOffset,
        large_custom_options_size: op.largeCustomOptionsSize,
        builtin_options_2: op.builtinOptions2,
        debug_metadata_index: op.debugMetadataIndex,
      })),
      name: sg.name || null,
      debug_metadata_index: sg.debugMetadataIndex,
    })),
    description: model.description || null,
    buffers: model.buffers.map((b, i) =>
      externalOffsets && b.external
        ? { data: null, offset: externalOffsets[i], size: BigInt(b.data.length) }
        : { data: b.data.length > 0 ? b.data : null, offset: 0n, size: 0n },
    ),
    metadata_buffer: model.metadataBuffer.length > 0 ? model.metadataBuffer : null,
    metadata:
      model.metadata.length > 0
        ? model.metadata.map((m) => ({ name: m.name, buffer: m.buffer }))
        : null,
    signature_defs: model.signatureDefs.length > 0 ? model.signatureDefs : null,
    external_buffer_groups:
      model.externalBufferGroups.length > 0 ? model.externalBufferGroups : null,
    external_buffers: model.externalBuffers.length > 0 ? model.externalBuffers : null,
  };
}
