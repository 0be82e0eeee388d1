import type { SparkConf } from "../core/conf.js";
import { PIDRateEstimator } from "../receiver/rate-limiter.js";
import type { ReceiverTracker } from "../receiver/tracker.js";
import type { BatchInfo, StreamingListener } from "../events/streaming.js";

/**
 * Backpressure (`spark.streaming.backpressure.enabled`): after each batch, a PID estimator per
 * receiver stream turns the batch's records, processing time and scheduling delay into the
 * rate the receiver may take next (capped by `spark.streaming.receiver.maxRate`).
 */
export class RateController implements StreamingListener {
  private readonly estimators = new Map<number, PIDRateEstimator>();

  constructor(
    private readonly batchMs: number,
    private readonly tracker: ReceiverTracker,
    private readonly conf: SparkConf,
  ) {}

  private estimator(streamId: number): PIDRateEstimator {
    let e = this.estimators.get(streamId);
    if (!e) {
      const num = (key: string, dflt: number) =>
        Number(this.conf.get(`spark.streaming.backpressure.pid.${key}`, String(dflt)));
      e = new PIDRateEstimator(
        this.batchMs,
        num("proportional", 1),
        num("integral", 0.2),
        num("derived", 0),
        num("minRate", 100),
      );
      this.estimators.set(streamId, e);
    }
    return e;
  }

  onBatchCompleted(info: BatchInfo): void {
    if (info.processingDelay === undefined || info.schedulingDelay === undefined) return;
    for (const streamId of this.tracker.streamIds()) {
      const records = this.tracker.recordsIn(info.batchTime, streamId);
      const rate = this.estimator(streamId).compute(
        info.processingEndTime ?? info.batchTime,
        records,
        info.processingDelay,
        info.schedulingDelay,
      );
      if (rate !== undefined) this.tracker.supervisor(streamId)?.setRate(rate);
    }
  }
}
