// The peer jobs' JVM side: builds a peer module (bench/peers/spark or bench/peers/flink) with
// Maven when its sources changed — Maven fetches the engine's jars once and caches them — and
// gives the java command line that runs one of its classes.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const peers = resolve(import.meta.dirname);
export type PeerModule = "spark" | "flink";

/** What Spark 4 and Flink 2 need opened on Java 17+ (as their launchers add). */
const JAVA_OPENS = [
  "java.lang",
  "java.lang.invoke",
  "java.lang.reflect",
  "java.io",
  "java.net",
  "java.nio",
  "java.util",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "jdk.internal.ref",
  "sun.nio.ch",
  "sun.nio.cs",
  "sun.security.action",
  "sun.util.calendar",
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const classpaths = new Map<PeerModule, string>();

/**
 * The module's classpath, compiling it first when a source or its pom is newer than the build;
 * worked out once per process (a benchmark run keeps the build it started with).
 */
export function peerClasspath(module: PeerModule): string {
  const known = classpaths.get(module);
  if (known) return known;
  const dir = join(peers, module);
  const cpFile = join(dir, "target", "classpath.txt");
  const classes = join(dir, "target", "classes");
  const newest = Math.max(
    newestSource(join(dir, "src")),
    statSync(join(dir, "pom.xml")).mtimeMs,
    statSync(join(peers, "pom.xml")).mtimeMs,
  );
  if (!existsSync(cpFile) || !existsSync(classes) || statSync(cpFile).mtimeMs < newest) {
    execFileSync(
      "mvn",
      ["-q", "-B", "-f", join(peers, "pom.xml"), "-pl", module, "-am", "compile", "dependency:build-classpath"].concat(
        `-Dmdep.outputFile=${cpFile}`,
      ),
      { stdio: ["ignore", "pipe", "inherit"], timeout: 900_000 },
    );
  }
  const classpath = `${classes}:${readFileSync(cpFile, "utf8").trim()}`;
  classpaths.set(module, classpath);
  return classpath;
}

/** The java command: JAVA_HOME's, else the one on the PATH. */
export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

/** `[java, args]` running `dev.sluice.peers.<mainClass>` of the module with `args`. */
export function javaCommand(module: PeerModule, mainClass: string, args: string[], heap = "2g"): [string, string[]] {
  return [
    javaBinary(),
    [
      "-XX:+IgnoreUnrecognizedVMOptions",
      ...JAVA_OPENS,
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true",
      `-Xmx${heap}`,
      "-cp",
      peerClasspath(module),
      `dev.sluice.peers.${mainClass}`,
      ...args,
    ],
  ];
}
