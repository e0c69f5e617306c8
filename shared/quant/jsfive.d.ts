/** The part of jsfive (pure-JS HDF5 reader, no bundled types) the Keras importer uses. */
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename?: string);
    keys: string[];
    attrs: Record<string, unknown>;
    get(path: string): unknown;
  }
}
