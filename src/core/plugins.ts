import type { SparkContext } from "./context.js";

/**
 * Something every SparkContext starts and stops with itself, as Spark's `spark.plugins`: the
 * web UI, `sluice submit`'s status line. The package entry registers the web UI; nothing
 * registers itself by being imported.
 */
export interface SparkPlugin {
  readonly name: string;
  /** Called by each new context; what it returns lives (and is stopped) with that context. */
  init(sc: SparkContext): PluginInstance | undefined;
}

/** A plugin's part of one context. */
export interface PluginInstance {
  /** A component started on the context (a StreamingContext): the plugin may attach to it. */
  componentStarted?(component: object): void;
  stop?(): void | Promise<void>;
}
