import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { DAGScheduler, type PartitionFunc } from "../scheduler/dag-scheduler.js";
import { WorkerPool } from "../scheduler/worker-pool.js";
import { SparkListenerBus, type SparkListener } from "../events/scheduler.js";
import { MemoryBudget } from "../shuffle/memory.js";
import { SpillDir } from "../shuffle/spill-files.js";
import { ShuffleManager } from "../shuffle/shuffle-manager.js";
import { BlockManager } from "../storage/block-manager.js";
import { log, setLogLevel } from "../util/log.js";
import { RecordErrorPolicy } from "../util/record-errors.js";
import { parseMaster, SparkConf } from "./conf.js";
import { IllegalArgumentError, IllegalStateError } from "../util/errors.js";
import { RDD } from "./rdd.js";
import { RangeNode, ParallelCollectionNode, sliceEvenly } from "./rdds/parallel-collection.js";
import { TextFileNode, WholeTextFilesNode } from "./rdds/text-file.js";
import { UnionNode } from "./rdds/union.js";
import { PreparedNode } from "./rdds/prepared.js";
import { listInputFiles } from "../util/files.js";
import { avroType, decodeAvroFile, type AvroSchema } from "../util/formats/avro.js";
import { decodeJsonLines } from "../util/formats/json-lines.js";
import { decodeParquet } from "../util/formats/parquet.js";
import { Accumulator, Broadcast } from "./shared-vars.js";
import type { PluginInstance, SparkPlugin } from "./plugins.js";

/**
 * The entry point of the batch engine: makes RDDs and runs their jobs. One may be active
 * per process; `SparkContext.getOrCreate()` returns it.
 * @example const sc = new SparkContext("local[2]", "wordcount")
 */
export class SparkContext {
  /** The running context of this process, if any (Spark allows one). */
  private static active: SparkContext | undefined;
  /** Plugins every new context starts (the package entry registers the web UI). */
  private static readonly plugins: SparkPlugin[] = [];
  private readonly pluginInstances = new Map<string, PluginInstance>();
  readonly conf: SparkConf;
  readonly master: string;
  readonly appName: string;
  readonly defaultParallelism: number;
  readonly startTime = Date.now();
  readonly shuffleManager: ShuffleManager;
  /** What shuffles and aggregations may hold in memory before they spill to `spark.local.dir`. */
  readonly memory: MemoryBudget;
  readonly blockManager = new BlockManager();
  private readonly scheduler: DAGScheduler;
  /** What happens to a record a function or a sink cannot take (`spark.sluice.onRecordError`). */
  readonly recordErrors: RecordErrorPolicy;
  /** Job, stage and task events (`addSparkListener`). */
  readonly sparkListeners = new SparkListenerBus();
  /** Worker threads of `local[N]`, N > 1 (map tasks that can be shipped run there). */
  private readonly workerPool: WorkerPool | undefined;
  private stopped = false;
  private nextRddId = 0;
  private nextShuffleId = 0;
  private nextSharedId = 0;

  constructor(conf: SparkConf);
  constructor(master?: string, appName?: string, conf?: SparkConf);
  constructor(masterOrConf?: string | SparkConf, appName?: string, conf?: SparkConf) {
    const active = SparkContext.active;
    if (active && !active.stopped) {
      throw new IllegalStateError(
        `Only one SparkContext may be running in this process (app "${active.appName}" is running): stop it ` +
          `first, or use SparkContext.getOrCreate()`,
      );
    }
    this.conf = masterOrConf instanceof SparkConf ? masterOrConf.copy() : (conf?.copy() ?? new SparkConf());
    if (typeof masterOrConf === "string") this.conf.setMaster(masterOrConf);
    if (appName !== undefined) this.conf.setAppName(appName);
    this.master = this.conf.get("spark.master") ?? "local[*]";
    this.appName = this.conf.get("spark.app.name") ?? "sluice";
    this.conf.setIfMissing("spark.master", this.master).setIfMissing("spark.app.name", this.appName);
    const cores = parseMaster(this.master, availableParallelism());
    this.defaultParallelism = this.conf.getInt("spark.default.parallelism", cores);
    this.recordErrors = RecordErrorPolicy.fromConf((key) => this.conf.get(key));
    const maxTaskFailures = this.conf.getInt("spark.task.maxFailures", 4);
    if (maxTaskFailures < 1)
      throw new IllegalArgumentError(`spark.task.maxFailures must be >= 1, got ${maxTaskFailures}`);
    this.memory = MemoryBudget.fromConf((key) => this.conf.get(key));
    this.shuffleManager = new ShuffleManager(this.memory.storeBytes, new SpillDir(this.conf.get("spark.local.dir")));
    this.workerPool = cores > 1 ? new WorkerPool(cores) : undefined;
    this.workerPool?.warmUp();
    this.scheduler = new DAGScheduler({
      memory: this.memory,
      shuffleManager: this.shuffleManager,
      blockManager: this.blockManager,
      maxTaskFailures,
      workerPool: this.workerPool,
      assertActive: () => this.assertActive(),
      sparkListeners: this.sparkListeners,
      recordErrors: this.recordErrors,
      taskRetryWaitMs: Math.round(1000 * Number(this.conf.get("spark.sluice.task.retryWaitSeconds", "0.1"))),
    });
    SparkContext.active = this;
    for (const plugin of SparkContext.plugins) {
      const instance = plugin.init(this);
      if (instance && !this.pluginInstances.has(plugin.name)) this.pluginInstances.set(plugin.name, instance);
      else if (instance) this.pluginInstances.set(`${plugin.name}#${this.pluginInstances.size}`, instance);
    }
  }

  /** Starts `plugin` with every SparkContext created from now on (a plugin registered twice runs once). */
  static registerPlugin(plugin: SparkPlugin): void {
    if (!SparkContext.plugins.includes(plugin)) SparkContext.plugins.push(plugin);
  }

  /** This context's part of the plugin named `name`, if it runs one. */
  plugin(name: string): PluginInstance | undefined {
    return this.pluginInstances.get(name);
  }

  /** Tells the plugins that `component` (a StreamingContext) started on this context. */
  componentStarted(component: object): void {
    for (const instance of this.pluginInstances.values()) instance.componentStarted?.(component);
  }

  /** The web UI's address once it listens (`spark.ui.enabled`, `spark.ui.port`); PySpark's `sc.uiWebUrl`. */
  uiWebUrl: string | undefined;

  /** The active context, or a new one made from `conf`. */
  static getOrCreate(conf?: SparkConf): SparkContext {
    const active = SparkContext.active;
    return active && !active.stopped ? active : new SparkContext(conf ?? new SparkConf());
  }

  /** The active context, if any. */
  static getActive(): SparkContext | undefined {
    const active = SparkContext.active;
    return active && !active.stopped ? active : undefined;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Throws when the context is stopped. */
  assertActive(): void {
    if (this.stopped)
      throw new IllegalStateError(`Cannot call methods on a stopped SparkContext (app "${this.appName}")`);
  }

  newRddId(): number {
    this.assertActive();
    return this.nextRddId++;
  }

  newShuffleId(): number {
    return this.nextShuffleId++;
  }

  /** Runs `fn` over `partitions` of `rdd` as one job (stages cut at shuffles). */
  runJob<T, R>(rdd: RDD<T>, partitions: readonly number[], fn: PartitionFunc<T, R>): Promise<R[]> {
    return this.scheduler.runJob(rdd, partitions, fn);
  }

  /** An RDD over `data`, cut into `numSlices` slices of near-equal size. */
  parallelize<T>(data: Iterable<T>, numSlices: number = this.defaultParallelism): RDD<T> {
    checkSlices(numSlices, "parallelize");
    if (data === null || data === undefined || typeof (data as Iterable<T>)[Symbol.iterator] !== "function") {
      throw new IllegalArgumentError(
        `parallelize needs an iterable (an array, a Set…), got ${data === null ? "null" : typeof data}`,
      );
    }
    return new RDD(this, new ParallelCollectionNode(sliceEvenly(Array.from(data), numSlices)));
  }

  /** Numbers `start, start+step, …` below `end` (`range(n)` is `0..n-1`). */
  range(start: number, end?: number, step = 1, numSlices: number = this.defaultParallelism): RDD<number> {
    if (end === undefined) [start, end] = [0, start];
    if (step === 0) throw new IllegalArgumentError("range step must not be 0");
    checkSlices(numSlices, "range");
    return new RDD(this, new RangeNode(start, end, step, numSlices));
  }

  /** An RDD with no partitions. */
  emptyRDD<T>(): RDD<T> {
    return new RDD(this, new ParallelCollectionNode<T>([], "emptyRDD"));
  }

  /** Lines of a file, of the visible files in a directory, or of files matching a glob. */
  textFile(path: string, minPartitions: number = Math.min(this.defaultParallelism, 2)): RDD<string> {
    checkSlices(minPartitions, "textFile");
    return new RDD(this, new TextFileNode(path, minPartitions));
  }

  /** `[file:path, contents]` for each file of a directory, glob or single file. */
  wholeTextFiles(path: string, minPartitions: number = Math.min(this.defaultParallelism, 2)): RDD<[string, string]> {
    checkSlices(minPartitions, "wholeTextFiles");
    return new RDD(this, new WholeTextFilesNode(path, minPartitions));
  }

  /**
   * Records of Parquet files (a file, a directory's visible files, or a glob), one partition per file, as plain
   * objects.
   */
  parquetFile(path: string): RDD<Record<string, unknown>> {
    return this.recordFiles(path, "parquetFile", async (bytes, where) => decodeParquet(bytes, where));
  }

  /**
   * Records of Avro container files, one partition per file, resolved to `schema` when given (else each file's own).
   */
  avroFile(path: string, schema?: AvroSchema): RDD<Record<string, unknown>> {
    const reader = schema === undefined ? undefined : avroType(schema);
    return this.recordFiles(path, "avroFile", async (bytes, where) => decodeAvroFile(bytes, where, reader).records);
  }

  /** Values of JSON-lines files, one partition per file; a line that is not JSON fails the job naming file:line. */
  jsonFile<T = Record<string, unknown>>(path: string): RDD<T> {
    return this.recordFiles(
      path,
      "jsonFile",
      async (bytes, where) => decodeJsonLines(Buffer.from(bytes).toString("utf8"), where) as T[],
    );
  }

  private recordFiles<T>(
    path: string,
    name: "parquetFile" | "avroFile" | "jsonFile",
    decode: (bytes: Uint8Array, where: string) => Promise<T[]>,
  ): RDD<T> {
    const files = listInputFiles(path);
    const read = () => Promise.all(files.map(async (f) => decode(await readFile(f.path), f.path)));
    const kind = ({ parquetFile: "ParquetFileRDD", avroFile: "AvroFileRDD", jsonFile: "JsonFileRDD" } as const)[name];
    return new RDD(this, new PreparedNode(read, Math.max(1, files.length), `${name} at ${path}`, kind));
  }

  /** Calls `listener` on job, stage and task events (Spark's `sc.addSparkListener`). */
  addSparkListener(listener: SparkListener): void {
    this.sparkListeners.add(listener);
  }

  union<T>(rdds: RDD<T>[]): RDD<T> {
    if (rdds.length === 0) throw new IllegalArgumentError("union needs at least one RDD");
    return new RDD(this, new UnionNode(rdds));
  }

  broadcast<T>(value: T): Broadcast<T> {
    this.assertActive();
    return new Broadcast(this.nextSharedId++, value, (id) => this.workerPool?.dropBroadcast(id));
  }

  accumulator(initial = 0): Accumulator {
    this.assertActive();
    return new Accumulator(this.nextSharedId++, initial);
  }

  private checkpointDir: string | undefined;

  /** Where `rdd.checkpoint()` saves RDDs (a new folder inside `dir`, as Spark makes); also satisfies DStreams' need. */
  setCheckpointDir(dir: string): void {
    const made = join(resolve(dir), randomUUID());
    mkdirSync(made, { recursive: true });
    this.checkpointDir = made;
  }

  getCheckpointDir(): string | undefined {
    return this.checkpointDir;
  }

  /** A copy of this context's configuration (changing it changes nothing here), as PySpark's `getConf()`. */
  getConf(): SparkConf {
    return new SparkConf(false).setAll(this.conf.getAll());
  }

  setLogLevel(level: string): void {
    setLogLevel(level);
  }

  /** Stops the context: later calls throw; cached data and shuffle outputs are dropped. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const instance of this.pluginInstances.values()) await instance.stop?.();
    this.pluginInstances.clear();
    await this.workerPool?.close();
    this.blockManager.clear();
    this.shuffleManager.clear();
    if (SparkContext.active === this) SparkContext.active = undefined;
    log.info(`SparkContext for app "${this.appName}" stopped`);
  }
}

function checkSlices(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1)
    throw new IllegalArgumentError(`${what}: number of partitions must be a whole number >= 1, got ${n}`);
}
