import { SluiceError } from "../util/errors.js";

/** Stable codes of checkpoint and recovery errors (in messages and on `.code`). */
export type CheckpointErrorCode =
  | "SLUICE_E_CKPT_CORRUPT"
  | "SLUICE_E_CKPT_VERSION"
  | "SLUICE_E_CKPT_INCONSISTENT"
  | "SLUICE_E_GRAPH_MISMATCH"
  | "SLUICE_E_LOCKED"
  | "SLUICE_E_ENOSPC"
  | "SLUICE_E_FSYNC"
  | "SLUICE_E_IO"
  | "SLUICE_E_NOT_RECOVERABLE";

/** A checkpoint could not be written, read or trusted; the message names the file and what to do. */
export class CheckpointError extends SluiceError {
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
