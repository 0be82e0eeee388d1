import { AsyncLocalStorage } from "node:async_hooks";

/** The jobs started inside one call of a user's output function, so the engine can tell which were not awaited. */
export class ActionScope {
  readonly running = new Set<Promise<unknown>>();
}

const scopes = new AsyncLocalStorage<ActionScope>();

/** Runs `f` with the jobs it starts (and those of what it awaits) counted in `scope`. */
export function inActionScope<R>(scope: ActionScope, f: () => R): R {
  return scopes.run(scope, f);
}

/** `job`, counted as running in the current scope (if any) until it settles. */
export function tracked<R>(job: Promise<R>): Promise<R> {
  const scope = scopes.getStore();
  if (scope) {
    scope.running.add(job);
    const done = () => void scope.running.delete(job);
    job.then(done, done);
  }
  return job;
}
