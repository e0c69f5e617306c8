import type { Model, ModelMetadataInfo } from './ir';
import { TfliteFormatError } from './errors';

export const MIN_RUNTIME_VERSION = 'min_runtime_version';
export const OFFLINE_MEMORY_ALLOCATION = 'OfflineMemoryAllocation';

/** Decodes the metadata entries TinyOps understands. */
export function readModelMetadata(model: Model, source?: string): ModelMetadataInfo {
  const info: ModelMetadataInfo = { minRuntimeVersion: null, offlineMemoryAllocation: null };
  model.metadata.forEach((entry, i) => {
    const data = model.buffers[entry.buffer].data;
    if (entry.name === MIN_RUNTIME_VERSION) {
      const end = data.indexOf(0);
      info.minRuntimeVersion = new TextDecoder().decode(end >= 0 ? data.subarray(0, end) : data);
    } else if (entry.name === OFFLINE_MEMORY_ALLOCATION) {
      // int32 LE: [version, subgraph index, tensor count, offset per tensor...] (TFLite Micro's layout).
      const field = `Model.metadata[${i}]<${OFFLINE_MEMORY_ALLOCATION}>`;
      if (data.length < 12 || data.length % 4 !== 0)
        throw new TfliteFormatError(
          `offline memory plan of ${data.length} bytes is not a whole int32 array`,
          field,
          0,
          source,
        );
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const count = view.getInt32(8, true);
      if (count < 0 || 12 + count * 4 !== data.length)
        throw new TfliteFormatError(
          `offline memory plan declares ${count} tensors but holds ${(data.length - 12) / 4}`,
          field,
          8,
          source,
        );
      const offsets = Array.from({ length: count }, (_, k) => view.getInt32(12 + k * 4, true));
      info.offlineMemoryAllocation = {
        version: view.getInt32(0, true),
        subgraphs: view.getInt32(4, true),
        offsets,
      };
    }
  });
  return info;
}

/** Encodes an offline plan (one arena offset per tensor of subgraph 0, -1 for online) as the
 * OfflineMemoryAllocation metadata buffer. */
export function encodeOfflineMemoryAllocation(offsets: number[]): Uint8Array {
  const out = new Uint8Array(12 + offsets.length * 4);
  const view = new DataView(out.buffer);
  view.setInt32(0, 1, true);
  view.setInt32(4, 0, true);
  view.setInt32(8, offsets.length, true);
  offsets.forEach((o, k) => view.setInt32(12 + k * 4, o, true));
  return out;
}
