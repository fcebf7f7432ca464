// Replaced at bundle time by esbuild's `define`; falls back for unbundled runs (tests from out/).
declare const __LINEAGELENS_VERSION__: string | undefined;
export const VERSION: string = typeof __LINEAGELENS_VERSION__ === 'string' ? __LINEAGELENS_VERSION__ : '0.0.0-dev';
