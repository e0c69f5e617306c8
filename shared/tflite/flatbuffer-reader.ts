import type { FbTable, FbUnion, FbValue } from './ir';
import type { FieldType, Schema, SchemaTable, ScalarBase } from './schema-types';
import { SCALAR_SIZE } from './schema-types';
import { TfliteFormatError } from './errors';

/** Limits that keep a hostile file from costing a huge allocation, deep recursion or a long
 * walk through shared sub-tables (flatbuffers allow many offsets to one table). */
export interface ReaderLimits {
  maxDepth: number;
  /** Tables plus vector elements visited, in total. */
  maxElements: number;
}

export const DEFAULT_LIMITS: ReaderLimits = { maxDepth: 64, maxElements: 50_000_000 };

/**
 * Decodes a flatbuffer into plain objects following a schema, verifying every offset, length
 * and index before it is used. Scalars come back as numbers (64-bit as bigint), enums as their
 * names (unknown values as numbers), byte vectors as views into the input, absent fields as
 * their defaults (or null for offsets).
 */
export class FlatbufferReader {
  private readonly view: DataView;
  private elementsLeft: number;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly bytes: Uint8Array,
    private readonly schema: Schema,
    private readonly source?: string,
    private readonly limits: ReaderLimits = DEFAULT_LIMITS,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // A well-formed file spends at most about one element per byte; sharing sub-tables more than
    // that is how a small hostile file would make the walk explode.
    this.elementsLeft = Math.min(limits.maxElements, bytes.length + 1024);
  }

  fail(message: string, field: string, offset: number): never {
    throw new TfliteFormatError(message, field, offset, this.source);
  }

  /** Decodes the root table; `identifier` is checked when given. */
  readRoot(identifier?: string): FbTable {
    const root = this.schema.rootTable;
    if (this.bytes.length < 8)
      this.fail(`file is ${this.bytes.length} bytes, too short for a flatbuffer`, root, 0);
    if (identifier) {
      const found = String.fromCharCode(...this.bytes.subarray(4, 8));
      if (found !== identifier)
        this.fail(
          `file identifier is "${printable(found)}", expected "${identifier}"`,
          `${root}.file_identifier`,
          4,
        );
    }
    const pos = this.uoffset(0, root);
    return this.table(pos, this.schema.tables[root], root, 0);
  }

  private need(pos: number, size: number, field: string): void {
    if (pos < 0 || size < 0 || pos + size > this.bytes.length)
      this.fail(
        `${size} bytes at ${pos} run past the end of the file (${this.bytes.length} bytes)`,
        field,
        pos,
      );
  }

  private spend(count: number, field: string, pos: number): void {
    this.elementsLeft -= count;
    if (this.elementsLeft < 0)
      this.fail(
        'too many tables and elements (the file repeats sub-tables excessively)',
        field,
        pos,
      );
  }

  /** Follows the unsigned offset stored at `pos`, returning the position it points to. */
  private uoffset(pos: number, field: string): number {
    this.need(pos, 4, field);
    const target = pos + this.view.getUint32(pos, true);
    if (target >= this.bytes.length)
      this.fail(`offset points to ${target}, past the end of the file`, field, pos);
    return target;
  }

  private table(pos: number, def: SchemaTable, path: string, depth: number): FbTable {
    if (depth > this.limits.maxDepth)
      this.fail(`tables nested deeper than ${this.limits.maxDepth}`, path, pos);
    this.spend(1, path, pos);
    if (pos % 4 !== 0) this.fail('table is not 4-byte aligned', path, pos);
    this.need(pos, 4, path);
    const vtable = pos - this.view.getInt32(pos, true);
    if (vtable % 2 !== 0) this.fail('vtable is not 2-byte aligned', `${path}.<vtable>`, pos);
    this.need(vtable, 4, `${path}.<vtable>`);
    const vtableSize = this.view.getUint16(vtable, true);
    const objectSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0)
      this.fail(`vtable size ${vtableSize} is invalid`, `${path}.<vtable>`, vtable);
    this.need(vtable, vtableSize, `${path}.<vtable>`);
    if (objectSize < 4) this.fail(`table size ${objectSize} is invalid`, path, vtable + 2);
    this.need(pos, objectSize, path);

    const out: FbTable = {};
    for (const field of def.fields) {
      const fieldPath = `${path}.${field.name}`;
      const slotPos = (slot: number): number => {
        const entry = 4 + 2 * slot;
        if (entry + 2 > vtableSize) return 0;
        const voffset = this.view.getUint16(vtable + entry, true);
        if (voffset !== 0 && voffset < 4)
          this.fail(`field offset ${voffset} overlaps the table header`, fieldPath, vtable + entry);
        return voffset;
      };
      const voffset = slotPos(field.slot);
      const { type } = field;
      if (type.kind === 'union') {
        const typeOffset = voffset; // the union's type byte lives in the first slot
        const valueOffset = slotPos(field.slot + 1);
        let typeId = 0;
        if (typeOffset !== 0) {
          this.fieldFits(typeOffset, 1, objectSize, `${path}.${field.name}_type`, pos);
          typeId = this.bytes[pos + typeOffset];
        }
        if (typeId === 0 || valueOffset === 0) {
          out[field.name] = null;
          continue;
        }
        const union = this.schema.unions[type.union];
        const member = union.members[typeId];
        if (member === undefined)
          this.fail(
            `union type ${typeId} is not a member of ${type.union}`,
            `${path}.${field.name}_type`,
            pos + typeOffset,
          );
        this.fieldFits(valueOffset, 4, objectSize, fieldPath, pos);
        const target = this.uoffset(pos + valueOffset, fieldPath);
        const value = this.table(
          target,
          this.schema.tables[member],
          `${fieldPath}<${member}>`,
          depth + 1,
        ) as FbUnion;
        value.$type = member;
        out[field.name] = value;
        continue;
      }
      if (voffset === 0) {
        out[field.name] =
          type.kind === 'scalar' || type.kind === 'enum'
            ? this.enumName(type, field.defaultValue)
            : null;
        continue;
      }
      const at = pos + voffset;
      if (type.kind === 'scalar' || type.kind === 'enum') {
        this.fieldFits(voffset, SCALAR_SIZE[type.base], objectSize, fieldPath, pos);
        out[field.name] = this.enumName(type, this.scalar(at, type.base));
      } else {
        this.fieldFits(voffset, 4, objectSize, fieldPath, pos);
        out[field.name] = this.reference(this.uoffset(at, fieldPath), type, fieldPath, depth);
      }
    }
    return out;
  }

  private fieldFits(
    voffset: number,
    size: number,
    objectSize: number,
    field: string,
    tablePos: number,
  ): void {
    if (voffset + size > objectSize)
      this.fail(
        `field of ${size} bytes at table offset ${voffset} runs past the table's ${objectSize} bytes`,
        field,
        tablePos + voffset,
      );
  }

  private reference(pos: number, type: FieldType, path: string, depth: number): FbValue {
    switch (type.kind) {
      case 'string':
        return this.string(pos, path);
      case 'table':
        return this.table(pos, this.schema.tables[type.table], path, depth + 1);
      case 'vector':
        return this.vector(pos, type.element, path, depth);
      default:
        return this.fail(`unexpected ${type.kind} behind an offset`, path, pos);
    }
  }

  private string(pos: number, path: string): string {
    this.need(pos, 4, path);
    const length = this.view.getUint32(pos, true);
    this.need(pos + 4, length + 1, path); // the flatbuffer string carries a terminating NUL
    if (this.bytes[pos + 4 + length] !== 0)
      this.fail('string is not NUL-terminated', path, pos + 4 + length);
    return this.decoder.decode(this.bytes.subarray(pos + 4, pos + 4 + length));
  }

  private vector(pos: number, element: FieldType, path: string, depth: number): FbValue {
    if (pos % 4 !== 0) this.fail('vector is not 4-byte aligned', path, pos);
    this.need(pos, 4, path);
    const length = this.view.getUint32(pos, true);
    const start = pos + 4;
    const elementSize =
      element.kind === 'scalar' || element.kind === 'enum' ? SCALAR_SIZE[element.base] : 4;
    // Checked against the file before anything is allocated, so a forged length cannot cost memory.
    if (length > (this.bytes.length - start) / elementSize)
      this.fail(`vector of ${length} elements does not fit in the file`, path, pos);
    if (element.kind === 'scalar' && (element.base === 'uint8' || element.base === 'int8')) {
      this.spend(1, path, pos);
      const raw = this.bytes.subarray(start, start + length);
      return element.base === 'uint8'
        ? raw
        : Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.length));
    }
    this.spend(length, path, pos);
    const out: FbValue[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const at = start + i * elementSize;
      if (element.kind === 'scalar' || element.kind === 'enum')
        out[i] = this.enumName(element, this.scalar(at, element.base));
      else
        out[i] = this.reference(this.uoffset(at, `${path}[${i}]`), element, `${path}[${i}]`, depth);
    }
    return out;
  }

  private scalar(pos: number, base: ScalarBase): number | bigint | boolean {
    const v = this.view;
    switch (base) {
      case 'bool':
        return v.getUint8(pos) !== 0;
      case 'int8':
        return v.getInt8(pos);
      case 'uint8':
        return v.getUint8(pos);
      case 'int16':
        return v.getInt16(pos, true);
      case 'uint16':
        return v.getUint16(pos, true);
      case 'int32':
        return v.getInt32(pos, true);
      case 'uint32':
        return v.getUint32(pos, true);
      case 'int64':
        return v.getBigInt64(pos, true);
      case 'uint64':
        return v.getBigUint64(pos, true);
      case 'float32':
        return v.getFloat32(pos, true);
      case 'float64':
        return v.getFloat64(pos, true);
    }
  }

  private enumName(type: FieldType, value: number | bigint | boolean | null): FbValue {
    if (type.kind !== 'enum' || typeof value !== 'number') return value;
    return this.schema.enums[type.enum].names[String(value)] ?? value;
  }
}

function printable(text: string): string {
  return text.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
