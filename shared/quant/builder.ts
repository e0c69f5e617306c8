import type { FbUnion, FbValue, Model, Tensor } from '../tflite/ir';
import { TFLITE_SCHEMA } from '../tflite/schema.generated';
import { newTensor } from './graph';
import { float32Bytes, int32Bytes } from './tensor-data';

/** Builds a float32 TFLite IR op by op (the Keras and TF.js importers use it). */
export class ModelBuilder {
  readonly model: Model;

  constructor(description: string) {
    this.model = {
      version: 3,
      description,
      operatorCodes: [],
      subgraphs: [
        {
          name: 'main',
          tensors: [],
          inputs: [],
          outputs: [],
          operators: [],
          debugMetadataIndex: -1,
        },
      ],
      buffers: [{ data: new Uint8Array(0), external: null }],
      metadata: [],
      metadataBuffer: [],
      signatureDefs: [],
      externalBufferGroups: [],
      externalBuffers: [],
    };
  }

  private get sg() {
    return this.model.subgraphs[0];
  }

  shape(t: number): number[] {
    return this.sg.tensors[t].shape;
  }

  /** An activation tensor (its own empty buffer, as the converter writes them). */
  activation(name: string, shape: number[]): number {
    return this.push(newTensor(name, shape, this.buffer(new Uint8Array(0))));
  }

  constant(name: string, shape: number[], values: ArrayLike<number>): number {
    return this.push(newTensor(name, shape, this.buffer(float32Bytes(values))));
  }

  int32Constant(name: string, values: number[]): number {
    return this.push(newTensor(name, [values.length], this.buffer(int32Bytes(values)), 'INT32'));
  }

  input(name: string, shape: number[]): number {
    const t = this.activation(name, shape);
    this.sg.inputs.push(t);
    return t;
  }

  output(t: number): void {
    this.sg.outputs.push(t);
  }

  /** Adds an op writing a new activation tensor of `outShape`; returns that tensor. */
  op(
    name: string,
    inputs: number[],
    outName: string,
    outShape: number[],
    options: Record<string, FbValue> | null = null,
    optionsType?: string,
  ): number {
    const out = this.activation(outName, outShape);
    this.sg.operators.push({
      opcodeIndex: this.opcode(name),
      inputs,
      outputs: [out],
      intermediates: [],
      builtinOptions: optionsType ? withDefaults(optionsType, options ?? {}) : null,
      builtinOptions2: null,
      customOptions: null,
      customOptionsFormat: 'FLEXBUFFERS',
      mutatingVariableInputs: [],
      largeCustomOptionsOffset: 0n,
      largeCustomOptionsSize: 0n,
      debugMetadataIndex: -1,
    });
    return out;
  }

  private push(t: Tensor): number {
    this.sg.tensors.push(t);
    return this.sg.tensors.length - 1;
  }

  private buffer(data: Uint8Array): number {
    this.model.buffers.push({ data, external: null });
    return this.model.buffers.length - 1;
  }

  private opcode(name: string): number {
    const found = this.model.operatorCodes.findIndex((c) => c.name === name);
    if (found >= 0) return found;
    const entry = Object.entries(TFLITE_SCHEMA.enums.BuiltinOperator.names).find(
      ([, n]) => n === name,
    );
    if (!entry) throw new Error(`unknown builtin op ${name}`);
    const code = Number(entry[0]);
    this.model.operatorCodes.push({
      builtinCode: code,
      name,
      deprecatedBuiltinCode: Math.min(code, 127),
      rawBuiltinCode: code,
      customCode: null,
      version: 1,
    });
    return this.model.operatorCodes.length - 1;
  }
}

/** Builtin options with every schema field present (defaults filled in, enums by name), the
 * shape the TFLite reader gives and the writer takes. */
function withDefaults(type: string, given: Record<string, FbValue>): FbUnion {
  const table = TFLITE_SCHEMA.tables[type];
  const out: FbUnion = { $type: type };
  for (const f of table.fields) {
    if (f.deprecated) continue;
    if (f.name in given) out[f.name] = given[f.name];
    else if (f.type.kind === 'enum')
      out[f.name] = TFLITE_SCHEMA.enums[f.type.enum].names[String(f.defaultValue ?? 0)] ?? null;
    else if (f.type.kind === 'scalar')
      out[f.name] = (f.defaultValue as number | boolean | null) ?? 0;
    else out[f.name] = null;
  }
  return out;
}
