import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { redactSettings, SUBMIT_CONF_ENV } from "../core/conf.js";
import { statusLinePlugin } from "./status-line.js";
import { check } from "./check.js";
import { init } from "./init.js";
import { feedServer, ncServer, parsePort } from "./line-server.js";
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
  check?: boolean;
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
  program.version(packageVersion(), "-V, --version", "print Sluice's version");
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
    .option("--check", "type-check the job first (as sluice check does), and run it only without errors")
    .passThroughOptions()
    .action(async (job: string, args: string[], opts: SubmitOptions) => {
      if (opts.check && (exitCode = check([job])) !== 0) return;
      exitCode = await submit(job, args, opts);
    });
  program
    .command("check")
    .description("type-check job files (with your project's TypeScript), with hints for the usual mistakes")
    .argument("<files...>", "the .ts files to check")
    .action((files: string[]) => void (exitCode = check(files)));
  program
    .command("init")
    .description("write a runnable streaming job, its test and a tsconfig.json")
    .argument("[dir]", "where (default: here)", ".")
    .action((dir: string) => void (exitCode = init(dir)));
  program
    .command("test")
    .description("run tests (node --test) that may be TypeScript and import sluice")
    .argument("[files...]", "test files (default: *.test.ts, *.test.js, *.test.mjs here and in test/)")
    .action(async (files: string[]) => void (exitCode = await runTests(files)));
  program
    .command("nc")
    .description("a line server for the exercises, as nc -lk PORT: what you type goes to the job, line by line")
    .option("-l", "listen (the only mode; accepted as nc's)")
    .option("-k", "keep listening after a client goes away")
    .argument("<port>", "the port to listen on")
    .action(async (port: string, o: { k?: boolean }) => {
      exitCode = await serve(() => ncServer(parsePort(port), o.k === true));
    });
  program
    .command("feed")
    .description("serve a file's lines on a port at a steady rate, looping: input for a job without typing")
    .argument("<file>", "the text file")
    .requiredOption("--port <port>", "the port to listen on")
    .option("--rate <lines>", "lines per second", "10")
    .option("--once", "stop after the file's last line instead of starting over")
    .action(async (file: string, o: { port: string; rate: string; once?: boolean }) => {
      exitCode = await serve(() => feedServer(file, parsePort(o.port), Number(o.rate), o.once === true));
    });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}

/** Runs a line server until it closes (or Ctrl-C); a failure to start is a message and exit code 1. */
async function serve(start: () => Promise<Server>): Promise<number> {
  try {
    const server = await start();
    await once(server, "close");
    return 0;
  } catch (err) {
    process.stderr.write(`sluice: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `node --test` over `files` (or the test files here and in test/), with Sluice's loader registered. */
async function runTests(files: string[]): Promise<number> {
  const found =
    files.length > 0
      ? files
      : [".", "test"].flatMap((d) =>
          existsSync(d)
            ? readdirSync(d)
                .filter((f) => /\.test\.(ts|mts|js|mjs|cjs)$/.test(f))
                .map((f) => join(d, f))
            : [],
        );
  if (found.length === 0) {
    process.stderr.write("sluice test: no test files (*.test.ts, *.test.js, *.test.mjs) here or in test/\n");
    return 1;
  }
  const register = fileURLToPath(new URL("../../bin/register.mjs", import.meta.url));
  // a run of its own even when started from inside another test run (which would take its report as a subtest's)
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ["--import", pathToFileURL(register).href, "--test", ...found], {
    stdio: "inherit",
    env,
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return code ?? 1;
}

/** The version in this package's package.json. */
function packageVersion(): string {
  const file = fileURLToPath(new URL("../../package.json", import.meta.url));
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
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
