/**
 * Loads a module on the path that needs it. In the CommonJS bundles SCF runs, `require` is there
 * and costs only the module itself, while `import()` of a built-in or of a file beside the bundle
 * first starts Node's ESM loader: about 5 ms of a cold start (--cpu-prof of a first invocation,
 * issue 13). Under vitest the source runs as ESM without `require`, and `import()` serves.
 * Both loaders are passed as literals so that esbuild sees (and rewrites) the module names.
 */
export function loadLazily<T>(viaRequire: () => T, viaImport: () => Promise<T>): Promise<T> {
  return typeof require === 'function' ? Promise.resolve().then(viaRequire) : viaImport();
}
