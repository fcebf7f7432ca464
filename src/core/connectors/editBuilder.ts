/**
 * Building AgentEdits from what a tool use tells: line blocks (exact ranges), a whole-file write, or a bare
 * old/new string pair (no position). Every connector goes through here so ids and ranges are made one way.
 */
import type { Model } from '../model/schema';
import { type ChangeBlock, lineCount } from './lineBlocks';
import { editStableId } from './stableId';
import type { AgentEdit, AgentEventSource } from './types';

/** What all edits of one tool use share. */
export interface ToolUseContext {
  tool: string;
  toolVersion?: string;
  model: Model;
  prompt?: AgentEdit['prompt'];
  conversationId: string;
  parentConversationId?: string;
  turnId?: string;
  cwd?: string;
  time: string;
  source: AgentEventSource;
  /** The tool-use id (or another id unique within the conversation) the stable ids derive from. */
  toolUseId: string;
  rejected?: boolean;
  pendingReview?: boolean;
  detail?: string;
}

/** The edit parts that differ between the edits of one tool use. */
export interface EditPart {
  filePath: string;
  oldText?: string;
  newText: string;
  range?: AgentEdit['range'];
  rangeBefore?: AgentEdit['rangeBefore'];
}

/** Edits of one tool use, numbered in order so their stable ids are deterministic. */
export function editsFromParts(ctx: ToolUseContext, parts: readonly EditPart[], firstIndex = 0): AgentEdit[] {
  const root = ctx.parentConversationId ?? ctx.conversationId;
  return parts.map((part, i) => {
    const edit: AgentEdit = {
      kind: 'edit',
      tool: ctx.tool,
      model: ctx.model,
      conversationId: ctx.conversationId,
      filePath: part.filePath,
      newText: part.newText,
      rejected: ctx.rejected ?? false,
      time: ctx.time,
      source: ctx.source,
      stableId: editStableId(ctx.tool, root, ctx.toolUseId, firstIndex + i),
    };
    if (ctx.toolVersion) edit.toolVersion = ctx.toolVersion;
    if (ctx.prompt) edit.prompt = ctx.prompt;
    if (ctx.parentConversationId) edit.parentConversationId = ctx.parentConversationId;
    if (ctx.turnId) edit.turnId = ctx.turnId;
    if (ctx.cwd) edit.cwd = ctx.cwd;
    if (part.oldText !== undefined) edit.oldText = part.oldText;
    if (part.range) edit.range = part.range;
    if (part.rangeBefore) edit.rangeBefore = part.rangeBefore;
    if (ctx.pendingReview) edit.pendingReview = true;
    if (ctx.detail) edit.detail = ctx.detail.slice(0, 500);
    return edit;
  });
}

/** One part per changed block, with exact ranges in the old and new file. */
export function partsFromBlocks(filePath: string, blocks: readonly ChangeBlock[]): EditPart[] {
  return blocks.map((b) => ({
    filePath,
    oldText: b.removedText,
    newText: b.addedText,
    range: { startLine: b.newStart, endLine: b.newStart + b.addedLines },
    rangeBefore: { startLine: b.oldStart, endLine: b.oldStart + b.removedLines },
  }));
}

/** A write of a whole file: every line of the new content came from the agent. */
export function wholeFilePart(filePath: string, content: string, oldContent?: string): EditPart {
  const part: EditPart = { filePath, newText: content, range: { startLine: 0, endLine: lineCount(content) } };
  if (oldContent !== undefined) {
    part.oldText = oldContent;
    part.rangeBefore = { startLine: 0, endLine: lineCount(oldContent) };
  }
  return part;
}
