/**
 * Line tracking: which characters and lines of a document are AI-written, followed through every edit
 * while the document is open (AttributionTracker), persisted as hash anchors (createSnapshot), and found
 * again when the file is reopened or changed on disk (reanchor). The oracle/ folder is test ground truth
 * and is deliberately not exported here.
 */
export { AttributionTracker, type AiLine, type AiSpan, type ChangeOrigin, type TextChange } from './attributionTracker';
export { isWhitespaceCode, LineTally, type LineVerdict } from './lineAttribution';
export { createSnapshot, parseSnapshot, SNAPSHOT_FORMAT, SpanAnchor, TrackingSnapshot } from './snapshot';
export {
  DEFAULT_DIFF_TIMEOUT_MS,
  MIN_EVIDENCE,
  reanchor,
  type AnchorOutcome,
  type AnchorStatus,
  type OffsetRange,
  type ReanchorOptions,
  type ReanchorResult,
} from './reanchor';
export { TextLines, type Position } from './textLines';
export { loadSnapshot, saveSnapshot, snapshotFile } from './snapshotFiles';
export { spansFromRecords, type RecordPlacement } from './recordAnchors';
