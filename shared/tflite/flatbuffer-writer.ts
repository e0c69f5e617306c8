import { Builder } from 'flatbuffers';
import type { FbTable, FbUnion, FbValue } from './ir';
import type { FieldType, Schema, SchemaField, SchemaTable } from './schema-types';
import { SCALAR_SIZE } from './schema-types';
import { TinyOpsError } from '../errors';

/** Byte vectors that the schema wants aligned (TFLite's `force_align: 16` on buffer data). */
const BYTE_VECTOR_ALIGN = 16;

/**
 * Encodes plain objects (the shape FlatbufferReader produces) back into a flatbuffer following
 * the schema. Defaults are omitted as flatc would; children are written before their parents.
 */
export class FlatbufferWriter {
  private readonly builder = new Builder(1024);

  constructor(private readonly schema: Schema) {}

  finish(root: FbTable, identifier?: string): Uint8Array {
    const offset = this.table(
      root,
      this.schema.tables[this.schema.rootTable],
      this.schema.rootTable,
    );
    this.builder.finish(offset, identifier);
    return this.builder.asUint8Array().slice();
  }

  private bad(path: string, message: string): never {
    throw new TinyOpsError('TFLITE_WRITE', `cannot write the model: ${path} ${message}`, {
      hint: 'The model IR was changed into a shape the TFLite schema cannot hold; check the value named.',
    });
  }

  private table(value: FbTable, def: SchemaTable, path: string): number {
    // Offsets (strings, vectors, sub-tables) must exist before the table that points at them.
    const offsets = new Map<SchemaField, number>();
    for (const field of def.fields) {
      const v = value[field.name];
      if (v === null || v === undefined) continue;
      const t = field.type;
      if (t.kind === 'union') {
        const u = v as FbUnion;
        offsets.set(field, this.table(u, this.schema.tables[u.$type], `${path}.${field.name}`));
      } else if (t.kind !== 'scalar' && t.kind !== 'enum') {
        offsets.set(field, this.reference(v, t, `${path}.${field.name}`));
      }
    }
    const b = this.builder;
    const slots = def.fields.reduce(
      (n, f) => Math.max(n, f.slot + (f.type.kind === 'union' ? 2 : 1)),
      0,
    );
    b.startObject(slots);
    for (const field of def.fields) {
      const v = value[field.name];
      const t = field.type;
      if (t.kind === 'union') {
        if (v === null || v === undefined) continue;
        const members = this.schema.unions[t.union].members;
        const typeId = members.indexOf((v as FbUnion).$type);
        if (typeId <= 0)
          this.bad(`${path}.${field.name}`, `has unknown union member ${(v as FbUnion).$type}`);
        b.addFieldInt8(field.slot, typeId, 0);
        b.addFieldOffset(field.slot + 1, offsets.get(field)!, 0);
      } else if (t.kind === 'scalar' || t.kind === 'enum') {
        if (v === null || v === undefined) continue;
        this.addScalarField(field, this.scalarValue(v, t, `${path}.${field.name}`));
      } else if (offsets.has(field)) {
        b.addFieldOffset(field.slot, offsets.get(field)!, 0);
      }
    }
    return b.endObject();
  }

  private scalarValue(v: FbValue, t: FieldType, path: string): number | bigint | boolean {
    if (t.kind === 'enum' && typeof v === 'string') {
      const entry = Object.entries(this.schema.enums[t.enum].names).find(([, name]) => name === v);
      if (!entry) this.bad(path, `has unknown ${t.enum} value "${v}"`);
      return Number(entry[0]);
    }
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
    return this.bad(path, `should be a scalar, got ${typeof v}`);
  }

  private addScalarField(field: SchemaField, v: number | bigint | boolean): void {
    const b = this.builder;
    const base =
      field.type.kind === 'scalar' || field.type.kind === 'enum' ? field.type.base : 'int32';
    const d = field.defaultValue;
    switch (base) {
      case 'bool':
        b.addFieldInt8(field.slot, v ? 1 : 0, d ? 1 : 0);
        break;
      case 'int8':
      case 'uint8':
        b.addFieldInt8(field.slot, Number(v), Number(d ?? 0));
        break;
      case 'int16':
      case 'uint16':
        b.addFieldInt16(field.slot, Number(v), Number(d ?? 0));
        break;
      case 'int32':
      case 'uint32':
        b.addFieldInt32(field.slot, Number(v), Number(d ?? 0));
        break;
      case 'int64':
      case 'uint64':
        b.addFieldInt64(
          field.slot,
          BigInt.asIntN(64, BigInt(v)),
          BigInt.asIntN(64, BigInt(d ?? 0)),
        );
        break;
      case 'float32':
        b.addFieldFloat32(field.slot, Number(v), Number(d ?? 0));
        break;
      case 'float64':
        b.addFieldFloat64(field.slot, Number(v), Number(d ?? 0));
        break;
    }
  }

  private reference(v: FbValue, t: FieldType, path: string): number {
    const b = this.builder;
    if (t.kind === 'string') {
      if (typeof v !== 'string') this.bad(path, 'should be a string');
      return b.createString(v);
    }
    if (t.kind === 'table') return this.table(v as FbTable, this.schema.tables[t.table], path);
    if (t.kind !== 'vector') return this.bad(path, `has an unexpected ${t.kind}`);
    const el = t.element;
    if (el.kind === 'scalar' && el.base === 'uint8') {
      const bytes = v instanceof Uint8Array ? v : Uint8Array.from(v as number[]);
      return this.byteVector(bytes);
    }
    if (!Array.isArray(v)) return this.bad(path, 'should be an array');
    if (el.kind === 'scalar' || el.kind === 'enum') {
      const size = SCALAR_SIZE[el.base];
      b.startVector(size, v.length, size);
      for (let i = v.length - 1; i >= 0; i--)
        this.addScalar(el, this.scalarValue(v[i], el, `${path}[${i}]`));
      return b.endVector();
    }
    const children = v.map((item, i) => this.reference(item, el, `${path}[${i}]`));
    b.startVector(4, children.length, 4);
    for (let i = children.length - 1; i >= 0; i--) b.addOffset(children[i]);
    return b.endVector();
  }

  private addScalar(t: FieldType, v: number | bigint | boolean): void {
    const b = this.builder;
    const base = t.kind === 'scalar' || t.kind === 'enum' ? t.base : 'int32';
    switch (base) {
      case 'bool':
        return b.addInt8(v ? 1 : 0);
      case 'int8':
      case 'uint8':
        return b.addInt8(Number(v));
      case 'int16':
      case 'uint16':
        return b.addInt16(Number(v));
      case 'int32':
      case 'uint32':
        return b.addInt32(Number(v));
      case 'int64':
      case 'uint64':
        return b.addInt64(BigInt.asIntN(64, BigInt(v)));
      case 'float32':
        return b.addFloat32(Number(v));
      case 'float64':
        return b.addFloat64(Number(v));
    }
  }

  /** A byte vector aligned to 16 bytes, copied in one go (models carry megabytes of weights). */
  private byteVector(bytes: Uint8Array): number {
    const b = this.builder;
    b.startVector(1, bytes.length, BYTE_VECTOR_ALIGN);
    // Builder keeps its write cursor private; createByteVector does the same copy with alignment 1.
    const internals = b as unknown as {
      space: number;
      bb: { setPosition(p: number): void; bytes(): Uint8Array };
    };
    internals.space -= bytes.length;
    internals.bb.setPosition(internals.space);
    internals.bb.bytes().set(bytes, internals.space);
    return b.endVector();
  }
}
