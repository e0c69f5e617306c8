/** The shape of a flatbuffers schema as the generic codec uses it (generated from the .fbs by
 * scripts/gen-tflite-schema.mjs into schema.generated.ts). */

export type ScalarBase =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

export type FieldType =
  | { kind: 'scalar'; base: ScalarBase }
  | { kind: 'enum'; base: ScalarBase; enum: string }
  | { kind: 'string' }
  | { kind: 'table'; table: string }
  | { kind: 'union'; union: string }
  | { kind: 'vector'; element: FieldType };

export interface SchemaField {
  name: string;
  /** vtable slot: field index in declaration order, a union taking two (type, then value). */
  slot: number;
  type: FieldType;
  /** Default of a scalar or enum field (enum defaults as the numeric value). */
  defaultValue: number | bigint | boolean | null;
  deprecated: boolean;
}

export interface SchemaTable {
  name: string;
  fields: SchemaField[];
}

export interface SchemaEnum {
  name: string;
  base: ScalarBase;
  /** value -> name */
  names: Record<string, string>;
}

export interface SchemaUnion {
  name: string;
  /** Member table names by type id; index 0 is NONE. */
  members: string[];
}

export interface Schema {
  rootTable: string;
  fileIdentifier: string;
  tables: Record<string, SchemaTable>;
  enums: Record<string, SchemaEnum>;
  unions: Record<string, SchemaUnion>;
}

export const SCALAR_SIZE: Readonly<Record<ScalarBase, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};
