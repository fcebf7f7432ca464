/** Agent connectors: hook payloads and transcripts of AI coding tools, normalised, and turned into records. */
export * from './types';
export { agentEditToRecords, agentPromptToPrompt, editRecordId, fileUriToPath, PathOutsideRootError, recordFilePath, type AgentEditRecords, type RecordContext } from './toRecords';
export { withModel } from './enrich';
export { editsFromFileChange } from './fileChangeEdits';
export { rangeOfTextInFile } from './lineBlocks';
export { HOOK_PARSERS, parseHookInput, type HookPayloadParser } from './hooks/hookInput';
export { CLAUDE_TRANSCRIPT_TAIL_BYTES, modelFromClaudeTranscriptTail } from './hooks/claudeTranscriptModel';
export { detectTranscriptFormat, importTranscriptFile, TRANSCRIPT_FORMATS, type ImportFileOptions, type TranscriptFormat } from './transcripts/importers';
export { BinaryTranscriptError, MAX_TRANSCRIPT_LINE_CHARS } from './transcripts/transcriptText';
export { applyPatchChunks, parseCodexPatch, PatchApplyError, PatchParseError, type PatchOperation } from './patch/applyPatch';
