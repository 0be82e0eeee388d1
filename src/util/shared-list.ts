/** A list kept on globalThis under `Symbol.for(key)`, so that two copies of a module (src and dist) share it. */
export function sharedList<T>(key: string): T[] {
  const store = globalThis as unknown as Record<symbol, T[] | undefined>;
  return (store[Symbol.for(key)] ??= []);
}
