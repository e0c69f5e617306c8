export {
  Interpreter,
  typedView,
  type TensorInfo,
  type TypedTensorArray,
  type InterpreterOptions,
} from './interpreter';
export { interpreterSupport, type OpSupportEntry } from './registry';
export type { Kernel, KernelContext, TensorRef } from './kernel';
