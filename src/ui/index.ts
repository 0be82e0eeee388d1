import { registerContextExtension, type SparkContext } from "../core/context.js";
import { onStreamingContextStart, type StreamingContext } from "../streaming/context.js";
import { log } from "../util/log.js";
import { LazyMetrics } from "./metrics.js";
import { UiServer } from "./server.js";
import { StatusStore } from "./status-store.js";

interface AppUi {
  readonly store: StatusStore;
  readonly server: Promise<UiServer | undefined>;
}

const uis = new WeakMap<SparkContext, AppUi>();

/**
 * The web UI of each SparkContext (unless `spark.ui.enabled=false`): a server on
 * `spark.ui.port` (4040, or the next free one) bound to `spark.driver.bindAddress`
 * (127.0.0.1), with a Streaming page once a StreamingContext starts.
 */
registerContextExtension({
  onStart(sc) {
    if (!sc.conf.getBoolean("spark.ui.enabled", true)) return;
    const store = new StatusStore(sc.conf.getInt("spark.streaming.ui.retainedBatches", 1000), sc.conf.getInt("spark.ui.retainedJobs", 1000));
    sc.addSparkListener(store.sparkListener);
    const appId = `local-${Date.now()}`;
    const startTime = Date.now();
    const server = UiServer.start({
      host: sc.conf.get("spark.driver.bindAddress", "127.0.0.1")!,
      port: sc.conf.getInt("spark.ui.port", 4040),
      maxRetries: sc.conf.getInt("spark.port.maxRetries", 16),
      store,
      metrics: new LazyMetrics(store, sc.appName),
      app: { appId, appName: sc.appName, startTime, conf: sc.conf.getAll() },
    }).then(
      (ui) => {
        sc.uiWebUrl = ui.url;
        process.stderr.write(`sluice: web UI at ${ui.url}\n`);
        return ui;
      },
      (err: unknown) => {
        log.warn(`the web UI did not start: ${(err as Error).message}`);
        return undefined;
      },
    );
    uis.set(sc, { store, server });
  },
  async onStop(sc) {
    const ui = uis.get(sc);
    uis.delete(sc);
    await (await ui?.server)?.close();
  },
});

onStreamingContextStart((ssc: StreamingContext) => {
  const ui = uis.get(ssc.sparkContext);
  if (!ui) return;
  ui.store.streaming = {
    batchMs: ssc.batchMs,
    startTime: ssc.startTime,
    receiverRecords: (id) => ssc.receiverTracker.supervisor(id)?.numRecords,
    queuedBatches: () => ssc.scheduler.queuedBatches,
    stateSizes: () => ssc.graph.stateSizes,
  };
  ssc.addStreamingListener(ui.store.streamingListener);
});

/** The UI of `sc`: its status store and its server once it listens (tests and the CLI use it). */
export async function webUi(sc: SparkContext): Promise<{ url: string; store: StatusStore } | undefined> {
  const ui = uis.get(sc);
  const server = await ui?.server;
  return ui && server ? { url: server.url, store: ui.store } : undefined;
}
