/**
 * Precision, recall and F1 of AI-line attribution against ground truth. A line counts as a true
 * positive only when both sides call it AI AND name the same record; a wrong record is both a false
 * positive and a false negative. Modified-flag disagreements are counted separately.
 */
import type { AiLine } from '../attributionTracker';

export interface AttributionCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  modifiedMismatches: number;
}

export function emptyCounts(): AttributionCounts {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, modifiedMismatches: 0 };
}

/** Adds the comparison of `actual` with `expected` to `into`. */
export function countAttribution(expected: readonly AiLine[], actual: readonly AiLine[], into: AttributionCounts): AttributionCounts {
  const truth = new Map(expected.map((l) => [l.line, l]));
  for (const line of actual) {
    const t = truth.get(line.line);
    if (t && t.recordId === line.recordId) {
      into.truePositives++;
      if (t.modified !== line.modified) into.modifiedMismatches++;
      truth.delete(line.line);
    } else into.falsePositives++;
  }
  into.falseNegatives += truth.size;
  return into;
}

export function scores(c: AttributionCounts): { precision: number; recall: number; f1: number } {
  const precision = c.truePositives + c.falsePositives === 0 ? 1 : c.truePositives / (c.truePositives + c.falsePositives);
  const recall = c.truePositives + c.falseNegatives === 0 ? 1 : c.truePositives / (c.truePositives + c.falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
