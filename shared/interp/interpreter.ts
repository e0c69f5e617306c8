/**
 * The reference interpreter: runs subgraph 0 of a model on the host with the int8 and float32
 * kernels in kernels/. Construction checks and prepares every node (op, version, tensor types,
 * shapes, quantization), so a model the interpreter cannot run is refused before any inference,
 * naming the op, its version and the node index.
 */
import { TinyOpsError } from '../errors';
import type { Model, TensorType } from '../tflite/ir';
import { TENSOR_TYPE_BYTES } from '../tflite/ir';
import { UnsupportedNodeError, type KernelContext, type TensorRef } from './kernel';
import { KERNELS } from './registry';
import { allocateTensor, type RuntimeTensor } from './tensors';

/** An input or output of the graph, as callers need to feed or read it. */
export interface TensorInfo {
  /** Tensor index in subgraph 0. */
  index: number;
  name: string;
  type: TensorType;
  shape: number[];
  byteLength: number;
  /** Per-tensor quantization, or null for an unquantized tensor. */
  quantization: { scale: number; zeroPoint: number } | null;
}

export type TypedTensorArray = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;

export interface InterpreterOptions {
  /** Where the model came from, for error messages. */
  source?: string;
}

interface PreparedNode {
  index: number;
  op: string;
  run: () => void;
}

export class Interpreter {
  readonly model: Model;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  private readonly source: string;
  private readonly tensors = new Map<number, RuntimeTensor>();
  private readonly nodes: PreparedNode[] = [];

  constructor(model: Model, options: InterpreterOptions = {}) {
    this.model = model;
    this.source = options.source ?? 'model';
    const sg = model.subgraphs[0];
    if (!sg)
      throw new TinyOpsError('INTERP_NO_GRAPH', 'The model has no subgraph to run', {
        where: this.source,
        hint: 'Convert the model again with the TFLite converter.',
      });
    // Prepare every node, collecting every node that cannot run, so one error lists them all;
    // missing kernels lead (rank 0), then versions (1), then tensors a kernel refuses (2).
    const refused: Array<{
      index: number;
      op: string;
      version: number;
      why: string;
      rank: number;
    }> = [];
    sg.operators.forEach((op, index) => {
      const name = this.opName(index);
      const code = model.operatorCodes[op.opcodeIndex];
      const version = code?.version ?? 1;
      const kernel = KERNELS.get(name);
      if (!kernel) {
        const custom = code?.customCode !== null && code?.customCode !== undefined;
        refused.push({
          index,
          op: name,
          version,
          why: custom
            ? `custom op "${name}" has no kernel`
            : `the interpreter has no ${name} kernel`,
          rank: 0,
        });
        return;
      }
      if (version > kernel.maxVersion) {
        refused.push({
          index,
          op: name,
          version,
          why: `${name} is implemented up to version ${kernel.maxVersion}`,
          rank: 1,
        });
        return;
      }
      try {
        this.nodes.push({
          index,
          op: name,
          run: kernel.prepare(this.context(index, name, version)),
        });
      } catch (err) {
        if (!(err instanceof UnsupportedNodeError)) throw err;
        refused.push({ index, op: name, version, why: err.message, rank: 2 });
      }
    });
    if (refused.length > 0)
      throw this.refusal(refused.sort((a, b) => a.rank - b.rank || a.index - b.index));
    this.checkOrder();
    this.inputs = sg.inputs.map((i) => this.info(i));
    this.outputs = sg.outputs.map((i) => this.info(i));
  }

  /** Runs one inference. Each input is the raw little-endian bytes of one graph input, in the
   * subgraph's order; returns the bytes of every graph output (copies), in order. */
  invoke(inputs: ArrayLike<Uint8Array>): Uint8Array[] {
    if (inputs.length !== this.inputs.length)
      throw new TinyOpsError(
        'INTERP_INPUT_COUNT',
        `The model takes ${this.inputs.length} input${this.inputs.length === 1 ? '' : 's'} (${this.inputs.map(describe).join('; ')}); got ${inputs.length}`,
        { where: this.source, hint: "Pass one input per model input, in the model's order." },
      );
    this.inputs.forEach((info, k) => {
      const data = inputs[k];
      if (data.length !== info.byteLength)
        throw new TinyOpsError(
          'INTERP_INPUT_SIZE',
          `Input ${k} "${info.name}" takes ${info.byteLength} bytes (${describe(info)}); got ${data.length} bytes`,
          {
            where: this.source,
            hint: `Give ${info.shape.reduce((a, b) => a * b, 1)} ${info.type} values as little-endian bytes.`,
          },
        );
      this.tensor(info.index).bytes.set(data);
    });
    for (const node of this.nodes) node.run();
    return this.outputs.map((info) => this.tensor(info.index).bytes.slice());
  }

  /** invoke() with typed arrays (Int8Array for INT8, Float32Array for FLOAT32, ...). */
  invokeTyped(inputs: ArrayLike<TypedTensorArray>): TypedTensorArray[] {
    const bytes = Array.from(inputs, (a, k) => {
      const info = this.inputs[k];
      if (info && !matchesType(a, info.type))
        throw new TinyOpsError(
          'INTERP_INPUT_TYPE',
          `Input ${k} "${info.name}" is ${info.type}; got a ${a.constructor.name}`,
          {
            where: this.source,
            hint: `Pass a ${typedArrayName(info.type)}.`,
          },
        );
      return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    });
    return this.invoke(bytes).map((b, k) => typedView(b, this.outputs[k].type));
  }

  /** The current contents of any tensor of subgraph 0 (after invoke: its value in that
   * inference), as a typed copy. */
  readTensor(index: number): TypedTensorArray {
    const t = this.tensor(index);
    return typedView(t.bytes.slice(), t.type);
  }

  /** Indices of the nodes in execution order with their op names. */
  get schedule(): ReadonlyArray<{ index: number; op: string }> {
    return this.nodes.map(({ index, op }) => ({ index, op }));
  }

  private opName(index: number): string {
    const op = this.model.subgraphs[0].operators[index];
    return this.model.operatorCodes[op.opcodeIndex]?.name ?? `opcode ${op.opcodeIndex}`;
  }

  private refusal(
    refused: ReadonlyArray<{ index: number; op: string; version: number; why: string }>,
  ): TinyOpsError {
    const [first, ...rest] = refused;
    // The other refused nodes, grouped by op, version and reason: "nodes 2, 4 (CONV_2D version 2): ...".
    const groups = new Map<string, number[]>();
    for (const r of rest) {
      const key = `(${r.op} version ${r.version}): ${r.why}`;
      groups.set(key, [...(groups.get(key) ?? []), r.index]);
    }
    const listed = [...groups].slice(0, 5).map(([key, nodes]) => {
      const shown = nodes.length > 8 ? `${nodes.slice(0, 8).join(', ')}, ...` : nodes.join(', ');
      return `node${nodes.length === 1 ? '' : 's'} ${shown} ${key}`;
    });
    const more =
      rest.length === 0
        ? ''
        : `; ${rest.length} more node${rest.length === 1 ? '' : 's'} cannot run either: ${listed.join('; ')}${groups.size > 5 ? '; ...' : ''}`;
    return new TinyOpsError(
      'INTERP_UNSUPPORTED_OP',
      `Node ${first.index} (${first.op} version ${first.version}) cannot run on the TinyOps interpreter: ${first.why}${more}`,
      {
        where: `${this.source}: operator ${first.index}`,
        hint: `The interpreter runs ${[...KERNELS.keys()].join(', ')} with int8 or float32 tensors; change the model to use those, or run it with TFLite Micro.`,
      },
    );
  }

  /** Every non-constant tensor a node reads must be a graph input, a variable or the output of
   * an earlier node (the converter writes nodes in execution order). */
  private checkOrder(): void {
    const sg = this.model.subgraphs[0];
    const ready = new Set<number>(sg.inputs);
    sg.tensors.forEach((t, i) => {
      if (t.isVariable || (this.model.buffers[t.buffer]?.data.length ?? 0) > 0) ready.add(i);
    });
    sg.operators.forEach((op, index) => {
      for (const i of op.inputs) {
        if (i >= 0 && !ready.has(i))
          throw new TinyOpsError(
            'INTERP_GRAPH_ORDER',
            `Node ${index} (${this.opName(index)}) reads tensor ${i} "${sg.tensors[i]?.name ?? '?'}" before any node writes it`,
            {
              where: `${this.source}: operator ${index}`,
              hint: 'The graph is not in execution order; re-export the model.',
            },
          );
      }
      for (const o of op.outputs) if (o >= 0) ready.add(o);
    });
  }

  private tensor(index: number): RuntimeTensor {
    let t = this.tensors.get(index);
    if (!t) {
      t = allocateTensor(this.model, index, this.source);
      this.tensors.set(index, t);
    }
    return t;
  }

  private context(nodeIndex: number, op: string, version: number): KernelContext {
    const node = this.model.subgraphs[0].operators[nodeIndex];
    const get = (list: number[], i: number, what: string): TensorRef => {
      const index = list[i];
      if (index === undefined || index < 0)
        throw new UnsupportedNodeError(`${what} ${i} is missing`);
      return this.tensor(index);
    };
    return {
      op,
      version,
      nodeIndex,
      options: node.builtinOptions,
      inputCount: node.inputs.length,
      outputCount: node.outputs.length,
      input: (i) => get(node.inputs, i, 'input'),
      optionalInput: (i) => {
        const index = node.inputs[i];
        return index === undefined || index < 0 ? null : this.tensor(index);
      },
      output: (i) => get(node.outputs, i, 'output'),
    };
  }

  private info(index: number): TensorInfo {
    const t = this.tensor(index);
    return {
      index,
      name: t.name,
      type: t.type,
      shape: [...t.shape],
      byteLength: t.bytes.length,
      quantization: t.scales.length > 0 ? { scale: t.scale, zeroPoint: t.zeroPoint } : null,
    };
  }
}

function describe(info: TensorInfo): string {
  return `${info.type} [${info.shape.join(', ')}]`;
}

function matchesType(a: TypedTensorArray, type: TensorType): boolean {
  return (
    a.BYTES_PER_ELEMENT === TENSOR_TYPE_BYTES[type] && typedArrayName(type) === a.constructor.name
  );
}

function typedArrayName(type: TensorType): string {
  switch (type) {
    case 'INT8':
      return 'Int8Array';
    case 'INT16':
      return 'Int16Array';
    case 'INT32':
      return 'Int32Array';
    case 'FLOAT32':
      return 'Float32Array';
    default:
      return 'Uint8Array';
  }
}

/** A typed array over bytes (copied into an aligned buffer when needed). */
export function typedView(bytes: Uint8Array, type: TensorType): TypedTensorArray {
  const size = TENSOR_TYPE_BYTES[type];
  const aligned = bytes.byteOffset % Math.max(1, size) === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  switch (type) {
    case 'INT8':
      return new Int8Array(buffer, byteOffset, byteLength);
    case 'INT16':
      return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'INT32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'FLOAT32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    default:
      return new Uint8Array(buffer, byteOffset, byteLength);
  }
}
