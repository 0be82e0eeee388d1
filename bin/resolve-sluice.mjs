// Module resolution hook for `sluice submit`: `import "sluice"` in a job, wherever the job
// file lives, resolves to this package's own source, the same modules the CLI runs; and a job
// written in TypeScript is an ES module (import/export, top-level await) even in a folder whose
// package.json does not say "type": "module", as `sluice submit job.ts` users expect.
const target = new URL("../src/index.ts", import.meta.url).href;
const TS = /\.(ts|mts)$/;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "sluice") return { url: target, shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith("file:") && TS.test(resolved.url) && !resolved.url.includes("/node_modules/")) {
    return { ...resolved, format: "module" };
  }
  return resolved;
}
