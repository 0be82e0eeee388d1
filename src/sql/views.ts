import type { DataFrame } from "./dataframe.js";
import { literal, type SqlEngine } from "./engine.js";

/** A node of DuckDB's parse tree (`json_serialize_sql`), as far as we read it. */
interface AstNode {
  type?: string;
  table_name?: string;
  schema_name?: string;
  catalog_name?: string;
  cte_map?: { map?: { key: string }[] };
  [k: string]: unknown;
}

/** The temp views a statement reads, found in its parse tree (never in its text). */
export interface ViewRefs {
  /** The statement's parse tree (big integers kept as text). */
  readonly tree: unknown;
  /** Its table references that name a temp view, by the view's name in lower case. */
  readonly refs: readonly { node: AstNode; view: string }[];
}

// json_serialize_sql writes 2^64-1 for "no location", which JSON.parse would round: keep it as text
const BIG = /:(\d{16,})/g;
const BIG_BACK = /"__u64_(\d+)"/g;

/**
 * Parses `sql` with DuckDB and finds the table references that name one of `views` (case
 * insensitive, unqualified, not a CTE of the statement). Run it inside the engine's queue.
 */
export async function findViewRefs(engine: SqlEngine, sql: string, views: ReadonlySet<string>): Promise<ViewRefs> {
  const text = (await engine.query(`SELECT json_serialize_sql(${literal(sql)}) AS tree`)).rows[0]!.tree;
  const tree = JSON.parse(String(text).replace(BIG, ':"__u64_$1"')) as { error?: boolean; error_message?: string };
  if (tree.error) return { tree, refs: [] }; // the query itself reports the syntax error when it runs
  const refs: { node: AstNode; view: string }[] = [];
  const walk = (n: unknown, ctes: ReadonlySet<string>): void => {
    if (Array.isArray(n)) return n.forEach((c) => walk(c, ctes));
    if (!n || typeof n !== "object") return;
    const node = n as AstNode;
    const inner = node.cte_map?.map?.length
      ? new Set([...ctes, ...node.cte_map.map.map((c) => c.key.toLowerCase())])
      : ctes;
    if (node.type === "BASE_TABLE" && typeof node.table_name === "string" && !node.schema_name && !node.catalog_name) {
      const name = node.table_name.toLowerCase();
      if (views.has(name) && !inner.has(name)) refs.push({ node, view: name });
    }
    for (const v of Object.values(node)) walk(v, inner);
  };
  walk(tree, new Set());
  return { tree, refs };
}

/** `found`'s statement with each view reference renamed by `rename`, as SQL text. */
export async function renameViews(
  engine: SqlEngine,
  found: ViewRefs,
  rename: (view: string) => string,
): Promise<string> {
  for (const { node, view } of found.refs) node.table_name = rename(view);
  const json = JSON.stringify(found.tree).replace(BIG_BACK, "$1");
  return String((await engine.query(`SELECT json_deserialize_sql(${literal(json)}) AS q`)).rows[0]!.q);
}

/** The temp views a DataFrame was bound to when it was made (`spark.sql`), by lower-case name. */
export type ViewBindings = ReadonlyMap<string, DataFrame>;

/** The bindings of two plans together (a join of two SQL DataFrames). */
export function mergeBindings(a: ViewBindings | undefined, b: ViewBindings | undefined): ViewBindings | undefined {
  if (!a || a.size === 0) return b;
  if (!b || b.size === 0) return a;
  return new Map([...b, ...a]);
}
