import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { redactSettings, SUBMIT_CONF_ENV } from "../core/conf.js";
import { statusLinePlugin } from "./status-line.js";
import { SparkContext } from "../core/context.js";
import { StreamingContext } from "../streaming/context.js";
import { describeError } from "../util/errors.js";
import { userFrame } from "../util/user-frame.js";
import { setLogLevel } from "../util/log.js";

/** The status line of jobs this process submits. */
const submitStatus = statusLinePlugin();

/** Options of `sluice submit`, as spark-submit has them. */
interface SubmitOptions {
  master?: string;
  name?: string;
  conf: string[];
  resetCheckpoint?: boolean;
  verbose?: boolean;
}

/**
 * Runs the `sluice` command line and resolves to the process exit code.
 * @example await main(["submit", "--master", "local[2]", "examples/wordcount-batch.ts", "README.md"])
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("sluice")
    .description("Sluice: micro-batch stream processing for Node.js, with PySpark's API")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;
  program
    .command("submit")
    .description("run a job file (.ts or .js) with its arguments, as spark-submit does")
    .argument("<job>", "the job module to run")
    .argument("[args...]", "arguments handed to the job (process.argv.slice(2) inside it)")
    .option("--master <url>", "local, local[N] or local[*]")
    .option("--name <appName>", "application name (spark.app.name)")
    .option("--conf <key=value>", "a configuration setting; repeat for more", collect, [])
    .option("--reset-checkpoint", "start afresh in a checkpoint directory whose metadata is lost (deletes it)")
    .option("--verbose", "print the effective configuration, and log at INFO (why a stage runs on the driver, say)")
    .passThroughOptions()
    .action(async (job: string, args: string[], opts: SubmitOptions) => {
      exitCode = await submit(job, args, opts);
    });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function submit(job: string, args: string[], opts: SubmitOptions): Promise<number> {
  const path = resolve(job);
  if (!existsSync(path)) {
    process.stderr.write(`sluice submit: job file ${path} does not exist\n`);
    return 2;
  }
  const settings: Record<string, string> = {};
  for (const pair of opts.conf) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      process.stderr.write(`sluice submit: --conf takes key=value, got "${pair}"\n`);
      return 2;
    }
    settings[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (opts.master) settings["spark.master"] = opts.master;
  if (opts.name) settings["spark.app.name"] = opts.name;
  if (opts.resetCheckpoint) settings["spark.sluice.checkpoint.reset"] = "true";
  process.env[SUBMIT_CONF_ENV] = JSON.stringify(settings);
  if (opts.verbose) {
    setLogLevel("INFO");
    process.stderr.write(`sluice submit: running ${path}\n`);
    for (const [k, v] of redactSettings(Object.entries(settings))) process.stderr.write(`  ${k}=${v}\n`);
  }
  SparkContext.registerPlugin(submitStatus);
  process.argv = [process.argv[0]!, path, ...args];
  const removeHandler = stopOnInterrupt();
  try {
    await import(pathToFileURL(path).href);
    // a job that started a context without awaiting its termination (as in Python) still runs under our care
    await StreamingContext.getActive()?.awaitTermination();
  } catch (err) {
    const where = userFrame(err, path) ?? userFrame(err);
    process.stderr.write(`sluice submit: job ${job} failed: ${describeError(err)}\n`);
    if (where && !opts.verbose) process.stderr.write(`    at ${where}\n`);
    if (opts.verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    await StreamingContext.getActive()?.stop(true, false);
    return 1;
  } finally {
    removeHandler();
  }
  return 0;
}

/**
 * Ctrl-C stops the running streaming context gracefully (what was received is processed);
 * a second Ctrl-C, or one with no streaming context running, exits at once.
 */
function stopOnInterrupt(): () => void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const ssc = StreamingContext.getActive();
    if (interrupted || !ssc) process.exit(signal === "SIGINT" ? 130 : 143);
    interrupted = true;
    process.stderr.write(`\nsluice: ${signal}: stopping gracefully (press Ctrl-C again to exit now)\n`);
    void ssc.stop(true, true);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
