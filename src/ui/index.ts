import { redactSettings } from "../core/conf.js";
import type { SparkContext } from "../core/context.js";
import type { PluginInstance, SparkPlugin } from "../core/plugins.js";
import { StreamingContext } from "../streaming/context.js";
import { log } from "../util/log.js";
import { LazyMetrics } from "./metrics.js";
import { UiServer } from "./server.js";
import { StatusStore } from "./status-store.js";

/** The web UI's part of one SparkContext. */
interface AppUi extends PluginInstance {
  readonly store: StatusStore;
  readonly server: Promise<UiServer | undefined>;
}

/** Attaches the Streaming page to a StreamingContext started on the UI's SparkContext. */
function attachStreaming(store: StatusStore, ssc: StreamingContext): void {
  store.streaming = {
    batchMs: ssc.batchMs,
    startTime: ssc.startTime,
    receiverRecords: (id) => ssc.receiverTracker.supervisor(id)?.numRecords,
    receiverProblems: () => new Map([...ssc.graph.receivers().values()].map((r) => [r.describe(), r.recordProblems])),
    queuedBatches: () => ssc.scheduler.queuedBatches,
    stateSizes: () => ssc.graph.stateSizes,
    refusedRecords: () => ssc.sparkContext.recordErrors.counts,
  };
  ssc.addStreamingListener(store.streamingListener);
}

/**
 * The web UI of each SparkContext (unless `spark.ui.enabled=false`): a server on
 * `spark.ui.port` (4040, or the next free one) bound to `spark.driver.bindAddress`
 * (127.0.0.1), with a Streaming page once a StreamingContext starts; it stops with the context.
 */
export const webUiPlugin: SparkPlugin = {
  name: "sluice.ui",
  init(sc: SparkContext): AppUi | undefined {
    if (!sc.conf.getBoolean("spark.ui.enabled", true)) return undefined;
    const store = new StatusStore(
      sc.conf.getInt("spark.streaming.ui.retainedBatches", 1000),
      sc.conf.getInt("spark.ui.retainedJobs", 1000),
    );
    sc.addSparkListener(store.sparkListener);
    const startTime = Date.now();
    const server = UiServer.start({
      host: sc.conf.get("spark.driver.bindAddress", "127.0.0.1")!,
      port: sc.conf.getInt("spark.ui.port", 4040),
      maxRetries: sc.conf.getInt("spark.port.maxRetries", 16),
      maxEventClients: sc.conf.getInt("spark.ui.maxEventClients", 32),
      allowedHosts: (sc.conf.get("spark.ui.allowedHosts") ?? "")
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean),
      store,
      metrics: new LazyMetrics(store, sc.appName),
      app: { appId: `local-${startTime}`, appName: sc.appName, startTime, conf: redactSettings(sc.conf.getAll()) },
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
    return {
      store,
      server,
      componentStarted: (c) => {
        if (c instanceof StreamingContext) attachStreaming(store, c);
      },
      stop: async () => {
        await (await server)?.close();
      },
    };
  },
};

/** The UI of `sc`: its status store and its server once it listens (tests and the CLI use it). */
export async function webUi(sc: SparkContext): Promise<{ url: string; store: StatusStore } | undefined> {
  const ui = sc.plugin(webUiPlugin.name) as AppUi | undefined;
  const server = await ui?.server;
  return ui && server ? { url: server.url, store: ui.store } : undefined;
}
