import type { Model } from '../tflite/ir';
import { encodeOfflineMemoryAllocation, OFFLINE_MEMORY_ALLOCATION } from '../tflite/metadata';

/**
 * A copy of the model carrying an offline arena plan as TFLite Micro's OfflineMemoryAllocation
 * metadata (replacing an existing one), so TFLite Micro uses our offsets instead of planning
 * online. `offsets` is one value per tensor of subgraph 0 (offlineAllocationValues' output).
 * Note TFLite Micro then needs the arena to hold the plan's size plus its persistent tail.
 */
export function withOfflinePlan(model: Model, offsets: number[]): Model {
  const tensors = model.subgraphs[0]?.tensors.length ?? 0;
  if (offsets.length !== tensors)
    throw new Error(
      `offline plan has ${offsets.length} offsets but subgraph 0 has ${tensors} tensors`,
    );
  const buffers = [
    ...model.buffers,
    { data: encodeOfflineMemoryAllocation(offsets), external: null },
  ];
  const entry = { name: OFFLINE_MEMORY_ALLOCATION, buffer: buffers.length - 1 };
  const metadata = [...model.metadata.filter((m) => m.name !== OFFLINE_MEMORY_ALLOCATION), entry];
  return { ...model, buffers, metadata };
}
