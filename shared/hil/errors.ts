import { TinyOpsError } from '../errors';

/** Why a hardware-in-the-loop run stopped: each names the command, the sample and a way out. */
export type HilFailureKind =
  | 'HIL_BOOT' // no harness banner / probe answer
  | 'HIL_TIMEOUT' // no reply in time: a hang
  | 'HIL_FAULT' // the HardFault report
  | 'HIL_EXITED' // the emulator or link ended
  | 'HIL_GARBAGE' // bytes that are not the protocol
  | 'HIL_DEVICE_ERROR' // an e-[...] reply
  | 'HIL_PROTOCOL' // a reply without the line it must hold
  | 'HIL_MISMATCH'; // the firmware's model is not the one given

export function hilError(
  kind: HilFailureKind,
  message: string,
  options: { where?: string; hint?: string } = {},
): TinyOpsError {
  return new TinyOpsError(kind, message, options);
}
