export * from './secretKind';
export * from './redact';
export * from './privacyLevel';
export { looksRandom, shannonEntropy, gibberishRatio } from './randomness';
export type { Detector, Finding } from './detector';
