import type { FsPort } from "../checkpoint/fs-port.js";
import type { Clock } from "../util/clock.js";

/** Options beyond PySpark's constructor. */
export interface StreamingContextOptions {
  /**
   * The clock batches follow; a `ManualClock` in tests. Default: conf `spark.streaming.clock` (`system` or `manual`).
   */
  clock?: Clock;
  /** Where `pprint` writes; default stdout. */
  out?: (text: string) => void;
  /** The file system checkpoints and file outputs are written through (tests inject faults so). */
  fs?: FsPort;
  /**
   * The clock a source's reconnect backoff and deadline follow (`spark.streaming.source.retrySeconds`).
   * The system clock by default, even when batches follow a manual one: a broker comes back in real time.
   */
  ioClock?: Clock;
}
