/**
 * Connections a context opens to outside systems (sink pools, broker clients), one per key,
 * opened on first use and closed together when the context stops. A failed open is forgotten,
 * so the next use tries again.
 */
export class Connections {
  private readonly open = new Map<string, { value: Promise<unknown>; close: (c: never) => unknown }>();
  private closed = false;

  /** The connection under `key`, made by `make` the first time (and again after a failed attempt). */
  get<C>(key: string, make: () => Promise<C> | C, close: (c: C) => unknown): Promise<C> {
    if (this.closed) return Promise.reject(new Error(`connection ${key} asked for after its context stopped`));
    const known = this.open.get(key);
    if (known) return known.value as Promise<C>;
    const value = Promise.resolve().then(make);
    this.open.set(key, { value, close: close as (c: never) => unknown });
    value.catch(() => {
      if (this.open.get(key)?.value === value) this.open.delete(key);
    });
    return value;
  }

  /** Closes the connection under `key` (if open); the next use makes a new one. */
  async drop(key: string): Promise<void> {
    const known = this.open.get(key);
    if (!known) return;
    this.open.delete(key);
    const c = await known.value.catch(() => undefined);
    if (c !== undefined) await Promise.resolve(known.close(c as never)).catch(() => undefined);
  }

  /** Closes every connection, the next use opening new ones (a sink call got no answer: the link may be dead). */
  async reset(): Promise<void> {
    await this.closeOpen();
  }

  /** Closes every connection (errors while closing are ignored: the context is going away). */
  async closeAll(): Promise<void> {
    this.closed = true;
    await this.closeOpen();
  }

  private async closeOpen(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map(async ({ value, close }) => {
        const c = await value.catch(() => undefined);
        if (c !== undefined) await Promise.resolve(close(c as never)).catch(() => undefined);
      }),
    );
  }
}
