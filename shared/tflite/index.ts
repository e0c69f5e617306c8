export * from './ir';
export { readModel, writeModel, opName } from './model';
export { loadModelFile } from './load';
export {
  readModelMetadata,
  encodeOfflineMemoryAllocation,
  MIN_RUNTIME_VERSION,
  OFFLINE_MEMORY_ALLOCATION,
} from './metadata';
export { TfliteFormatError } from './errors';
export { tensorByteSize, tensorElementCount } from './tensor';
