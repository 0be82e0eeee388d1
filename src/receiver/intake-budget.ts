import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";
import { SluiceError } from "../util/errors.js";
import { log } from "../util/log.js";

/** The heap in use (all of it, and the old generation's part) and the old generation's limit, in bytes. */
export interface HeapReading {
  used: number;
  /** What the old generation holds (V8 aborts when it cannot grow); `used` when not told. */
  old?: number;
  limit: number;
}

/** Past this share of the heap's limit, receivers pause while they hold records. */
export const PAUSE_AT = 0.7;
/** Below this share they go on (or as soon as they hold nothing). */
const RESUME_AT = 0.6;
/** Past this share the job stops with SLUICE_E_MEMORY, before V8 would abort the process. */
const FAIL_AT = 0.9;

/**
 * What all receivers of a context hold that no batch has finished with yet, against
 * `spark.sluice.receiver.maxPendingRecordsTotal` and against the heap: past either, every receiver that stores more
 * is paused; when a batch is done and both allow it, every receiver it paused may go on.
 */
export class IntakeBudget {
  held = 0;
  /** Paused because the heap passed `PAUSE_AT` of its limit while records were held. */
  memoryPaused = false;
  private readonly members = new Set<{ recheck(): void }>();

  constructor(
    readonly limit: number,
    private readonly heap: () => HeapReading = oldGeneration,
  ) {}

  join(member: { recheck(): void }): void {
    this.members.add(member);
  }

  /** Would `n` more records pass a bound? A first block passes however large it is, so nothing waits forever. */
  wouldExceed(n: number): boolean {
    return this.held > 0 && (this.memoryPaused || this.held + n > this.limit);
  }

  full(): boolean {
    return this.held >= this.limit || this.memoryPaused;
  }

  add(n: number): void {
    this.held += n;
  }

  /**
   * Looks at the heap: past `PAUSE_AT` of its limit intake pauses; past `FAIL_AT` the error to stop the job with,
   * naming the receiver `who` that holds `itsRecords`.
   */
  checkHeap(who: string, itsRecords: number): SluiceError | undefined {
    const { used, old = used, limit } = this.heap();
    if (old >= FAIL_AT * limit) {
      const mb = (b: number) => Math.round(b / 1048576);
      return new SluiceError(
        `SLUICE_E_MEMORY: the heap holds ${mb(old)} MB of its ${mb(limit)} MB limit while receiver ${who} holds ` +
          `${itsRecords} records not yet processed (${this.held} for all receivers); lower ` +
          `spark.sluice.receiver.maxPendingRecords, turn on spark.streaming.backpressure.enabled, or give Node more ` +
          `heap (--max-old-space-size)`,
      );
    }
    // all of the heap counts here: what the receivers just stored is still young, and will be old soon
    if (used >= PAUSE_AT * limit && this.held > 0) this.memoryPaused = true;
    return undefined;
  }

  /** A batch is done with `n` records: once no bound is reached, every paused receiver is asked to go on. */
  release(n: number): void {
    this.held = Math.max(0, this.held - n);
    if (this.memoryPaused) {
      // held records are what the pause can give back; with none held, pausing longer frees nothing
      if (this.held > 0) {
        const { used, limit } = this.heap();
        if (used >= RESUME_AT * limit) return;
        log.info(`the heap is below ${RESUME_AT * 100}% of its limit again: receivers go on`);
      } else log.info("receivers hold no records any more: the memory pause ends");
      this.memoryPaused = false;
    }
    if (this.held < this.limit) for (const m of this.members) m.recheck();
  }
}

/**
 * What `heap_size_limit` holds beyond what the old generation can use: the young generation's three 16 MB
 * semi-spaces (64-bit), and room for one semi-space promoted at once, which V8 needs free before a scavenge. Run with
 * `--max-old-space-size=64` (`heap_size_limit` 112 MB), a job died of "ineffective mark-compacts" at 54 MB in use.
 */
const YOUNG_RESERVE = 64 * 1048576;

/**
 * The heap in use, its old generation's part (outside the young generation's semi-spaces), and the old generation's
 * usable limit.
 */
function oldGeneration(): HeapReading {
  const stats = getHeapStatistics();
  let young = 0;
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_name === "new_space" || s.space_name === "new_large_object_space") young += s.space_used_size;
  }
  const reserve = Math.min(YOUNG_RESERVE, stats.heap_size_limit / 2);
  return { used: stats.used_heap_size, old: stats.used_heap_size - young, limit: stats.heap_size_limit - reserve };
}
