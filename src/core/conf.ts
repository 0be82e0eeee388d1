import { IllegalArgumentError } from "../util/errors.js";

/** Environment variable through which `sluice submit` hands `--master`/`--conf` to the job. */
export const SUBMIT_CONF_ENV = "SLUICE_CONF";

/**
 * Configuration as key-value strings, PySpark's `SparkConf`. A new conf starts with the
 * settings given to `sluice submit` (`--master`, `--conf k=v`), as Spark's does.
 * @example new SparkConf().setMaster("local[2]").setAppName("wordcount")
 */
export class SparkConf {
  private readonly settings = new Map<string, string>();

  constructor(loadDefaults = true) {
    if (loadDefaults) this.setAll(submittedSettings());
  }

  set(key: string, value: string | number | boolean): this {
    if (typeof key !== "string" || key === "")
      throw new IllegalArgumentError(`conf key must be a non-empty string, got ${String(key)}`);
    this.settings.set(key, String(value));
    return this;
  }

  setIfMissing(key: string, value: string | number | boolean): this {
    if (!this.settings.has(key)) this.set(key, value);
    return this;
  }

  get(key: string, dflt?: string): string | undefined {
    return this.settings.get(key) ?? dflt;
  }

  contains(key: string): boolean {
    return this.settings.has(key);
  }

  setMaster(master: string): this {
    return this.set("spark.master", master);
  }

  setAppName(name: string): this {
    return this.set("spark.app.name", name);
  }

  setAll(pairs: Iterable<[string, string]>): this {
    for (const [k, v] of pairs) this.set(k, v);
    return this;
  }

  getAll(): [string, string][] {
    return Array.from(this.settings.entries());
  }

  /** An integer setting, or `dflt`; a value that is not an integer is an error naming the key. */
  getInt(key: string, dflt: number): number {
    const raw = this.settings.get(key);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new IllegalArgumentError(`conf ${key}=${raw} is not an integer`);
    return n;
  }

  /** A boolean setting (`true`/`false`), or `dflt`. */
  getBoolean(key: string, dflt: boolean): boolean {
    const raw = this.settings.get(key);
    if (raw === undefined) return dflt;
    if (raw === "true" || raw === "false") return raw === "true";
    throw new IllegalArgumentError(`conf ${key}=${raw} is not true or false`);
  }

  copy(): SparkConf {
    return new SparkConf(false).setAll(this.getAll());
  }

  toDebugString(): string {
    return this.getAll()
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
  }
}

function submittedSettings(): [string, string][] {
  const raw = process.env[SUBMIT_CONF_ENV];
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new IllegalArgumentError(`${SUBMIT_CONF_ENV} is not valid JSON: ${raw}`);
  }
  if (typeof parsed !== "object" || parsed === null)
    throw new IllegalArgumentError(`${SUBMIT_CONF_ENV} must be a JSON object`);
  return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

/** Number of task slots a master URL gives: `local` 1, `local[N]` N, `local[*]` all cores. */
export function parseMaster(master: string, cores: number): number {
  if (master === "local") return 1;
  const m = /^local\[(\*|\d+)(?:,\s*\d+)?\]$/.exec(master);
  if (!m) throw new IllegalArgumentError(`unsupported master URL "${master}": use local, local[N] or local[*]`);
  const n = m[1] === "*" ? cores : Number(m[1]);
  if (n < 1) throw new IllegalArgumentError(`master ${master} asks for ${n} threads; use at least 1`);
  return n;
}

/** Spark's default `spark.redaction.regex`: settings whose name matches show their value redacted. */
export const DEFAULT_REDACTION = "(?i)secret|password|token|access[.]?key";
const REDACTED = "*********(redacted)";

/** A Java-style regex with a leading `(?i)` as a JavaScript one. */
function redactionRegex(source: string): RegExp {
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

/**
 * `settings` as they may be shown or logged: a value whose key matches `spark.redaction.regex`
 * (Spark's default: secret, password, token, access key) is redacted, and so is the password of
 * any URL in a value (`redis://user:pw@host` → `redis://user:*********(redacted)@host`).
 */
export function redactSettings(settings: readonly (readonly [string, string])[]): [string, string][] {
  const regexSetting = settings.find(([k]) => k === "spark.redaction.regex")?.[1] ?? DEFAULT_REDACTION;
  const byName = redactionRegex(regexSetting);
  return settings.map(([k, v]) => [k, byName.test(k) || byName.test(v) ? REDACTED : redactUrls(v)]);
}

/** The passwords of URLs in `text`, redacted. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, `$1:${REDACTED}@`);
}
