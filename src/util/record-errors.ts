import { deadLetterFile, type DeadLetterSink } from "./dead-letter.js";
import { IllegalArgumentError, SluiceError } from "./errors.js";
import { log } from "./log.js";

/** What happens to a record an operator or a sink cannot take (`spark.sluice.onRecordError`). */
export type OnRecordError = "fail" | "skip" | "deadLetter";

const MODES: readonly OnRecordError[] = ["fail", "skip", "deadLetter"];

/** A record refused under `spark.sluice.onRecordError=fail`: the job fails, naming it. */
export class RecordError extends SluiceError {}

/** The record as text for a message or a dead letter (JSON where it can be). */
export function recordText(record: unknown, max = Infinity): string {
  let text: string;
  try {
    text = typeof record === "string" ? record : (JSON.stringify(record) ?? String(record));
  } catch {
    text = String(record);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The context's policy for records that fail: `fail` (the default, as Spark: the task fails and
 * is retried, then the job), `skip` (counted, logged once per place), or `deadLetter` (counted
 * and written with the error and where it failed to `spark.sluice.deadLetter.path`, a JSON-lines
 * file). Skipped and dead-lettered records are counted per place for the UI and `/metrics`.
 */
export class RecordErrorPolicy {
  /** Records refused so far, by where (`map [RDD 3]`, `saveToPostgres sales`). */
  readonly counts = new Map<string, number>();
  private readonly sink: DeadLetterSink | undefined;

  constructor(
    readonly mode: OnRecordError,
    deadLetterPath?: string,
  ) {
    if (!MODES.includes(mode)) {
      throw new IllegalArgumentError(`spark.sluice.onRecordError must be fail, skip or deadLetter; got "${mode}"`);
    }
    if (mode === "deadLetter" && !deadLetterPath) {
      throw new IllegalArgumentError(
        "spark.sluice.onRecordError=deadLetter needs spark.sluice.deadLetter.path (a JSON-lines file)",
      );
    }
    this.sink = mode === "deadLetter" && deadLetterPath ? deadLetterFile(deadLetterPath) : undefined;
  }

  /** The policy `spark.sluice.onRecordError` and `spark.sluice.deadLetter.path` ask for. */
  static fromConf(get: (key: string) => string | undefined): RecordErrorPolicy {
    return new RecordErrorPolicy(
      (get("spark.sluice.onRecordError") ?? "fail") as OnRecordError,
      get("spark.sluice.deadLetter.path"),
    );
  }

  /** Total records refused. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /**
   * Handles a record that failed at `where`: under `fail` throws a `RecordError` naming the
   * record, else counts it and (for `deadLetter`) resolves once it is written.
   */
  async refuse(record: unknown, error: Error, where: string): Promise<void> {
    if (this.mode === "fail") {
      throw new RecordError(`${where} refused the record ${recordText(record, 200)}: ${error.message}`, {
        cause: error,
      });
    }
    const seen = this.counts.get(where) ?? 0;
    this.counts.set(where, seen + 1);
    if (seen === 0)
      log.warn(
        `${where} refused a record (${error.message}); ` +
          `${this.mode === "skip" ? "skipping" : "dead-lettering"} such records`,
      );
    await this.sink?.({ payload: Buffer.from(recordText(record)), error, source: where });
  }
}
