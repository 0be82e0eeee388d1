import type { Registry } from "prom-client";
import { lazyModule } from "../util/lazy.js";
import type { BatchView, StatusStore } from "./status-store.js";

const promClient = lazyModule<typeof import("prom-client")>("prom-client");

const DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A finished batch as the metrics need it. */
type BatchSample = Pick<
  BatchView,
  "numRecords" | "failureReason" | "processingTime" | "schedulingDelay" | "totalDelay"
>;

/** Batches kept for metrics not yet made (no scrape yet); older ones are dropped past this. */
const MAX_PENDING = 1_000_000;

/**
 * The metrics, made on the first scrape: `prom-client` is loaded then, not when the context
 * starts (it costs ~60 ms, which every start and recovery would pay). Batches that finish
 * before are kept as samples and observed when the metrics are made.
 */
export class LazyMetrics {
  private made: { register: Registry; observe: (b: BatchSample) => void } | undefined;
  private pending: BatchSample[] = [];

  constructor(
    private readonly store: StatusStore,
    private readonly appName: string,
  ) {
    store.onBatchDone = (b) => {
      const sample = {
        numRecords: b.numRecords,
        failureReason: b.failureReason,
        processingTime: b.processingTime,
        schedulingDelay: b.schedulingDelay,
        totalDelay: b.totalDelay,
      };
      if (this.made) this.made.observe(sample);
      else if (this.pending.push(sample) > MAX_PENDING) this.pending.shift();
    };
  }

  registry(): Registry {
    if (!this.made) {
      this.made = createMetrics(this.store, this.appName);
      for (const b of this.pending) this.made.observe(b);
      this.pending = [];
    }
    return this.made.register;
  }
}

/**
 * The Prometheus metrics of one application (`/metrics`, text format, through `prom-client`):
 * batches completed and failed, records per receiver, processing time and scheduling delay
 * histograms, state size per stateful stream, queued batches, and Node's process metrics.
 */
function createMetrics(store: StatusStore, appName: string): { register: Registry; observe: (b: BatchSample) => void } {
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = promClient();
  const register = new Registry();
  register.setDefaultLabels({ app: appName });
  collectDefaultMetrics({ register, prefix: "sluice_process_" });
  const completed = new Counter({
    name: "sluice_streaming_batches_completed_total",
    help: "Batches whose jobs all ran",
    registers: [register],
  });
  const failed = new Counter({
    name: "sluice_streaming_batches_failed_total",
    help: "Batches with a failed output operation",
    registers: [register],
  });
  const records = new Counter({
    name: "sluice_streaming_records_total",
    help: "Records in completed batches",
    registers: [register],
  });
  const processing = new Histogram({
    name: "sluice_streaming_processing_time_seconds",
    help: "Time from a batch's start to the end of its jobs",
    buckets: DELAY_BUCKETS,
    registers: [register],
  });
  const scheduling = new Histogram({
    name: "sluice_streaming_scheduling_delay_seconds",
    help: "Time a batch waited for the batches before it",
    buckets: DELAY_BUCKETS,
    registers: [register],
  });
  const totalDelay = new Histogram({
    name: "sluice_streaming_total_delay_seconds",
    help: "Scheduling delay plus processing time",
    buckets: DELAY_BUCKETS,
    registers: [register],
  });
  const observe = (b: BatchSample) => {
    completed.inc();
    if (b.failureReason) failed.inc();
    records.inc(b.numRecords);
    if (b.processingTime !== undefined) processing.observe(b.processingTime / 1000);
    if (b.schedulingDelay !== undefined) scheduling.observe(b.schedulingDelay / 1000);
    if (b.totalDelay !== undefined) totalDelay.observe(b.totalDelay / 1000);
  };
  const reported = new Map<number, number>();
  new Counter({
    name: "sluice_receiver_records_total",
    help: "Records stored by each receiver",
    labelNames: ["stream_id", "receiver"],
    registers: [register],
    collect() {
      for (const r of store.receivers.values()) {
        const total = store.streaming?.receiverRecords(r.streamId) ?? r.totalRecords;
        const delta = total - (reported.get(r.streamId) ?? 0);
        reported.set(r.streamId, total);
        this.inc({ stream_id: String(r.streamId), receiver: r.name }, Math.max(0, delta));
      }
    },
  });
  const problems = new Map<string, number>();
  new Counter({
    name: "sluice_receiver_record_problems_total",
    help: "Records a receiver could not take as they came: oversize (dropped), invalidUtf8 (kept with U+FFFD)",
    labelNames: ["receiver", "problem"],
    registers: [register],
    collect() {
      for (const [receiver, counts] of store.streaming?.receiverProblems() ?? []) {
        for (const [problem, total] of counts) {
          const key = `${receiver}\u0000${problem}`;
          this.inc({ receiver, problem }, Math.max(0, total - (problems.get(key) ?? 0)));
          problems.set(key, total);
        }
      }
    },
  });
  const refused = new Map<string, number>();
  new Counter({
    name: "sluice_refused_records_total",
    help: "Records skipped or dead-lettered under spark.sluice.onRecordError, by operator or sink",
    labelNames: ["where"],
    registers: [register],
    collect() {
      for (const [where, total] of store.streaming?.refusedRecords() ?? []) {
        this.inc({ where }, Math.max(0, total - (refused.get(where) ?? 0)));
        refused.set(where, total);
      }
    },
  });
  new Gauge({
    name: "sluice_streaming_state_records",
    help: "Records (keys) held by each stateful stream after its latest batch",
    labelNames: ["stream"],
    registers: [register],
    collect() {
      for (const [stream, n] of store.streaming?.stateSizes() ?? []) this.set({ stream }, n);
    },
  });
  new Gauge({
    name: "sluice_streaming_queued_batches",
    help: "Batches generated and waiting for the running one",
    registers: [register],
    collect() {
      this.set(store.streaming?.queuedBatches() ?? 0);
    },
  });
  new Gauge({
    name: "sluice_streaming_receivers_active",
    help: "Receivers running now",
    registers: [register],
    collect() {
      this.set([...store.receivers.values()].filter((r) => r.active).length);
    },
  });
  return { register, observe };
}
