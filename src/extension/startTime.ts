// Imported first by extension.ts, so this runs when the bundle starts evaluating: the code-loading part of
// activation is measured from here to the end of extension.ts's top level.
import { performance } from 'node:perf_hooks';

export const bundleStartedAt = performance.now();
