// Module resolution hook for `sluice submit`: `import "sluice"` in a job, wherever the job
// file lives, resolves to this package's own source, the same modules the CLI runs.
const target = new URL("../src/index.ts", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "sluice") return { url: target, shortCircuit: true };
  return nextResolve(specifier, context);
}
