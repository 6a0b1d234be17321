import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The build every suite runs (test/global-setup.ts): <distDir>/<function>/index.js, openapi.json. */
    distDir: string;
    bundleSizes: Array<{ name: string; bytes: number; gzipBytes: number }>;
  }
}

/** Where this run's one build is. */
export const distDir = (): string => inject('distDir');

/** Each bundle's size as the build reported it. */
export const bundleSizes = () => inject('bundleSizes');
