/**
 * All detectors, in priority order. When findings overlap, the engine merges them into one redaction
 * named after the earliest detector here: specific shapes (a GitHub token) name the kind before broad
 * rules that matched the same text (`GITHUB_TOKEN=` as a named secret, or as high entropy).
 */
import {
  commandLineFlagDetector,
  curlUserDetector,
  namedSecretDetector,
  xmlElementDetector,
} from './assignmentDetectors';
import type { Detector } from './detector';
import { highEntropyDetector } from './highEntropyDetector';
import {
  authorizationHeaderDetector,
  bearerPhraseDetector,
  urlPasswordDetector,
} from './structuredDetectors';
import { privateKeyDetector } from './privateKeyDetector';
import { vendorTokenDetector } from './vendorTokenDetectors';

export function allDetectors(): Detector[] {
  return [
    privateKeyDetector(),
    vendorTokenDetector(),
    urlPasswordDetector(),
    authorizationHeaderDetector(),
    bearerPhraseDetector(),
    namedSecretDetector(),
    xmlElementDetector(),
    commandLineFlagDetector(),
    curlUserDetector(),
    highEntropyDetector(),
  ];
}
