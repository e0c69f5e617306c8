import type { Model, Subgraph, Tensor } from '../tflite/ir';
import { tensorByteSize } from '../tflite/tensor';

/** TFLite Micro aligns every arena buffer to 16 bytes (MicroArenaBufferAlignment). */
export const ARENA_ALIGNMENT = 16;

export function alignUp(n: number, alignment: number = ARENA_ALIGNMENT): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Where a tensor's memory lives at run time. */
export type TensorKind =
  /** Weights and other data stored in the model (flash): never arena memory. */
  | 'constant'
  /** Planned arena memory, live from its producer (or the start) to its last use (or the end). */
  | 'activation'
  /** State kept across invocations (e.g. LSTM/SVDF state): live for the whole run. */
  | 'variable'
  /** Not referenced by any op of subgraph 0, nor an input or output: takes no memory. */
  | 'unused';

/** A tensor's life over the execution order: live at op steps first..last inclusive. */
export interface TensorLifetime {
  tensor: number;
  name: string;
  kind: TensorKind;
  /** Exact data size in bytes (0 for unused tensors). */
  bytes: number;
  /** Size rounded up to the arena alignment. */
  alignedBytes: number;
  first: number;
  last: number;
}

/** A buffer the planner places: a size and an inclusive lifetime over op steps. */
export interface PlanBuffer {
  id: number;
  size: number;
  first: number;
  last: number;
}

export function lifetimesOverlap(
  a: { first: number; last: number },
  b: { first: number; last: number },
): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function isConstantTensor(model: Model, tensor: Tensor): boolean {
  const buffer = model.buffers[tensor.buffer];
  return (
    tensor.buffer !== 0 &&
    buffer !== undefined &&
    (buffer.data.length > 0 || buffer.external !== null)
  );
}

/**
 * The lifetime of every tensor of a subgraph, the way TFLite Micro's allocation info sees it:
 * graph inputs live from step 0, graph outputs to the last step, other tensors from the op that
 * writes them to the last op that reads them. A tensor read before anything writes it (and not a
 * graph input) is live from step 0, as TFLite Micro treats it. Variable tensors live throughout.
 */
export function tensorLifetimes(model: Model, subgraphIndex = 0): TensorLifetime[] {
  const sg: Subgraph = model.subgraphs[subgraphIndex];
  const steps = sg.operators.length;
  const end = Math.max(0, steps - 1);
  const first = new Array<number>(sg.tensors.length).fill(-1);
  const last = new Array<number>(sg.tensors.length).fill(-1);
  const referenced = new Array<boolean>(sg.tensors.length).fill(false);
  for (const t of sg.inputs) {
    first[t] = 0;
    referenced[t] = true;
  }
  sg.operators.forEach((op, step) => {
    for (const t of op.inputs) {
      if (t < 0) continue;
      referenced[t] = true;
      if (first[t] < 0) first[t] = 0;
      last[t] = Math.max(last[t], step);
    }
    for (const t of op.outputs) {
      if (t < 0) continue;
      referenced[t] = true;
      if (first[t] < 0) first[t] = step;
      last[t] = Math.max(last[t], step);
    }
  });
  for (const t of sg.outputs) {
    referenced[t] = true;
    if (first[t] < 0) first[t] = 0;
    last[t] = end;
  }
  return sg.tensors.map((tensor, i) => {
    let kind: TensorKind;
    if (isConstantTensor(model, tensor)) kind = 'constant';
    else if (tensor.isVariable) kind = 'variable';
    else if (!referenced[i]) kind = 'unused';
    else kind = 'activation';
    // A dynamic dimension left as -1 in the shape has no size yet: count it as empty.
    const bytes = kind === 'unused' ? 0 : Math.max(0, tensorByteSize(tensor));
    const f = kind === 'variable' ? 0 : Math.max(0, first[i]);
    const l = kind === 'variable' ? end : Math.max(f, last[i]);
    return {
      tensor: i,
      name: tensor.name,
      kind,
      bytes,
      alignedBytes: alignUp(bytes),
      first: f,
      last: l,
    };
  });
}

/** The tensors that take arena memory (activations and variables), as planner buffers. */
export function arenaBuffers(
  lifetimes: TensorLifetime[],
  options: { includeVariables?: boolean } = {},
): PlanBuffer[] {
  const includeVariables = options.includeVariables ?? true;
  return lifetimes
    .filter((l) => l.kind === 'activation' || (includeVariables && l.kind === 'variable'))
    .filter((l) => l.bytes > 0)
    .map((l) => ({ id: l.tensor, size: l.alignedBytes, first: l.first, last: l.last }));
}
