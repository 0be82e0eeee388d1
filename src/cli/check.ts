import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TS from "typescript";

// `sluice check job.ts`: type-checks jobs before they run (`sluice submit` runs TypeScript
// without checking it, as tsx does), with the user's own TypeScript when their project has one,
// and says how to fix the mistakes PySpark users make most.

/** This module's folder: src/cli in a checkout, dist/cli when installed. */
const here = dirname(fileURLToPath(import.meta.url));

/** This package's entry for types: the source in a checkout, the declarations when installed. */
function ownTypes(): string {
  const src = resolve(here, "..", "index.ts");
  return existsSync(src) ? src : resolve(here, "..", "index.d.ts");
}

function loadTypeScript(from: string): typeof TS | undefined {
  for (const base of [join(from, "noop.js"), join(here, "check.js")]) {
    try {
      return createRequire(base)("typescript") as typeof TS;
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

/** Options for a folder without tsconfig.json: ES modules with top-level await, strict, as `sluice init` writes. */
export const DEFAULT_COMPILER_OPTIONS = {
  target: "ES2022",
  module: "preserve",
  moduleResolution: "bundler",
  moduleDetection: "force",
  allowImportingTsExtensions: true,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
} as const;

/** What to do about a diagnostic a PySpark user is likely to meet, by its code and text. */
function hint(code: number, text: string): string | undefined {
  if (code === 2684 && /'this' context of type '(DStream|RDD)</.test(text))
    return (
      "the ...ByKey methods need a stream of [key, value] pairs: return a two-element array from map, " +
      "e.g. .map((w) => [w, 1]); a longer array or an object is not a pair"
    );
  if (code === 7006 || code === 7031)
    return "give the parameter a type, e.g. (values: number[], state: number | undefined) => …";
  if (code === 2339 && /on type 'Promise</.test(text))
    return "an action returns a Promise: await it (const data = await rdd.collect()) inside an async function";
  if (code === 1378 || code === 1309 || code === 1375)
    return "top-level await needs ES modules: use the tsconfig.json that `sluice init` writes";
  return undefined;
}

/** Whether `@types/node` is in a node_modules at or above `dir`. */
function hasNodeTypes(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules", "@types", "node"))) return true;
    if (dirname(d) === d) return false;
  }
}

/** Type-checks `files`; prints the errors with hints and returns the exit code (0: no errors). */
export function check(files: string[], out: (s: string) => void = (s) => process.stderr.write(s)): number {
  const cwd = process.cwd();
  const ts = loadTypeScript(cwd);
  if (!ts) {
    out("sluice check needs TypeScript: npm install --save-dev typescript @types/node\n");
    return 2;
  }
  const paths = files.map((f) => resolve(f));
  const missing = paths.find((p) => !existsSync(p));
  if (missing) {
    out(`sluice check: ${missing} does not exist\n`);
    return 2;
  }
  const configPath = ts.findConfigFile(dirname(paths[0]!), ts.sys.fileExists, "tsconfig.json");
  let options: TS.CompilerOptions;
  if (configPath) {
    const parsed = ts.parseJsonConfigFileContent(
      ts.readConfigFile(configPath, ts.sys.readFile).config,
      ts.sys,
      dirname(configPath),
    );
    options = parsed.options;
  } else {
    options = ts.convertCompilerOptionsFromJson(DEFAULT_COMPILER_OPTIONS, cwd).options;
  }
  options = { ...options, noEmit: true };
  // `import "sluice"` resolves to this package even where no node_modules holds it (as `sluice submit` does)
  if (!options.paths?.sluice && !existsSync(join(cwd, "node_modules", "sluice"))) {
    options.paths = { ...options.paths, sluice: [ownTypes()] };
  }
  // Node's types from this package's own when the user's folder has none (a checkout has them; an install does not)
  const ownTypeRoot = resolve(here, "..", "..", "node_modules", "@types");
  if (!options.typeRoots && !hasNodeTypes(dirname(paths[0]!)) && existsSync(join(ownTypeRoot, "node"))) {
    options.typeRoots = [ownTypeRoot];
  }
  const program = ts.createProgram(paths, options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const host: TS.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => cwd,
    getNewLine: () => "\n",
  };
  for (const d of diagnostics) {
    out(process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext([d], host) : ts.formatDiagnostics([d], host));
    const h = hint(d.code, ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    if (h) out(`  hint: ${h}\n\n`);
  }
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  out(errors === 0 ? `sluice check: ${files.join(", ")}: no type errors\n` : `sluice check: ${errors} error(s)\n`);
  return errors === 0 ? 0 : 1;
}
