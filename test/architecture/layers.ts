// The layer rules of docs/architecture.md, checked on import statements as TypeScript parses them.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Bottom to top: a file may import values only from its own layer or one below. */
export const LAYERS = [
  "util",
  "events",
  "storage",
  "shuffle",
  "scheduler",
  "core",
  "checkpoint",
  "receiver",
  "streaming",
  "connectors",
  "sql",
  "ui",
  "cli",
  "(entry)",
] as const;

/** Types may also be imported from here to there (core and the runtime under it know each other's types). */
const TYPE_EXCEPTIONS: Record<string, readonly string[]> = {
  scheduler: ["core"],
  shuffle: ["core"],
  storage: ["core"],
};

export interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly why: string;
}

/** The layer of a path relative to `src/` (`streaming/dstream/mapped.ts` is in `streaming`). */
export function layerOf(pathInSrc: string): string {
  const parts = pathInSrc.split("/");
  return parts.length === 1 ? "(entry)" : parts[0]!;
}

/** The relative imports (static, re-exports and dynamic) of a source text, each marked type-only or not. */
export function importsOf(fileName: string, text: string): { spec: string; typeOnly: boolean }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const namedAllTypes =
        c?.namedBindings &&
        ts.isNamedImports(c.namedBindings) &&
        !c.name &&
        c.namedBindings.elements.every((e) => e.isTypeOnly);
      out.push({ spec: node.moduleSpecifier.text, typeOnly: Boolean(c?.isTypeOnly || namedAllTypes) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      out.push({
        spec: node.moduleSpecifier.text,
        typeOnly: node.isTypeOnly || Boolean(named?.length && named.every((e) => e.isTypeOnly)),
      });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) out.push({ spec: arg.text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      out.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((i) => i.spec.startsWith("."));
}

/** What breaks the rules in `files` (paths relative to `src/`, with their text). */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  const rank = (layer: string) => LAYERS.indexOf(layer as (typeof LAYERS)[number]);
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    if (rank(from) < 0) {
      out.push({ file, imports: "", why: `${from}/ is not a layer of docs/architecture.md` });
      continue;
    }
    for (const { spec, typeOnly } of importsOf(file, text)) {
      const target = relative("/src", resolve("/src", dirname(file), spec));
      if (target.startsWith("..")) continue; // a package file outside src/ (none today)
      const to = layerOf(target);
      if (rank(to) <= rank(from)) continue;
      if (typeOnly && TYPE_EXCEPTIONS[from]?.includes(to)) continue;
      out.push({
        file,
        imports: target,
        why: `${from}/ imports ${typeOnly ? "types" : "values"} from ${to}/, a layer above it`,
      });
    }
  }
  return out;
}

/** Every .ts file under `root`, by path relative to it. */
export function sourceFiles(root: string): Map<string, string> {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  return new Map(walk(root).map((f) => [relative(root, f), readFileSync(f, "utf8")]));
}
