import { EventBus } from "./bus.js";

/** One output operation of a batch, as reported to listeners. */
export interface OutputOperationInfo {
  readonly id: number;
  readonly name: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly failureReason?: string;
  /** The engine's own job (materializing a stateful stream's state), not one of the user's outputs. */
  readonly internal?: boolean;
}

/** What is known of a batch: its time, input size and delays (all times in epoch ms). */
export interface BatchInfo {
  readonly batchTime: number;
  readonly numRecords: number;
  readonly submissionTime: number;
  readonly processingStartTime?: number;
  readonly processingEndTime?: number;
  readonly outputOperations: readonly OutputOperationInfo[];
  /** Wait from submission to the start of processing. */
  readonly schedulingDelay?: number;
  readonly processingDelay?: number;
  readonly totalDelay?: number;
}

/** A receiver's state as listeners see it. */
export interface ReceiverInfo {
  readonly streamId: number;
  readonly name: string;
  readonly active: boolean;
  readonly lastErrorMessage?: string;
  readonly lastError?: unknown;
}

/** Callbacks on batch and receiver events (`ssc.addStreamingListener`). All are optional. */
export interface StreamingListener {
  onStreamingStarted?(time: number): void;
  onBatchSubmitted?(info: BatchInfo): void;
  onBatchStarted?(info: BatchInfo): void;
  onBatchCompleted?(info: BatchInfo): void;
  onOutputOperationCompleted?(batchTime: number, info: OutputOperationInfo): void;
  onReceiverStarted?(info: ReceiverInfo): void;
  onReceiverError?(info: ReceiverInfo): void;
  onReceiverStopped?(info: ReceiverInfo): void;
  /** Records a receiver stored (not a Spark event; handy for tests and status lines). */
  onRecordsStored?(streamId: number, count: number): void;
}

/** Delivers streaming events to every listener; a listener that throws is reported, not fatal. */
export class ListenerBus extends EventBus<StreamingListener> {
  constructor() {
    super("StreamingListener");
  }
}
