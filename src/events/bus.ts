/** Callbacks keyed by event name, all optional: the shape of every listener interface. */
type Listener = object;
type Callback<L, E extends keyof L> = Extract<NonNullable<L[E]>, (...args: never[]) => unknown>;

/**
 * Delivers events to every listener of type `L` (an interface of optional callbacks); a
 * listener that throws is reported (named `kind`), never fatal to whoever posts.
 */
export class EventBus<L extends Listener> {
  private readonly listeners: L[] = [];

  constructor(private readonly kind: string) {}

  add(listener: L): void {
    this.listeners.push(listener);
  }

  remove(listener: L): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Whether anyone listens (events need not be built otherwise). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  post<E extends keyof L>(event: E, ...args: Parameters<Callback<L, E>>): void {
    for (const l of this.listeners) {
      const fn = l[event] as ((...a: Parameters<Callback<L, E>>) => void) | undefined;
      if (typeof fn !== "function") continue;
      try {
        fn.apply(l, args);
      } catch (err) {
        process.stderr.write(`${this.kind} ${String(event)} threw: ${String(err)}\n`);
      }
    }
  }
}
