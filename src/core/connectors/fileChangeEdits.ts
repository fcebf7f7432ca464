/**
 * Edits for a change the agent's payload did not describe (a file_change event, or an edit without a
 * position): the caller snapshots the file at pre_edit and reads it again after the change; the difference,
 * line block by line block, is what the agent wrote.
 */
import { editsFromParts, partsFromBlocks } from './editBuilder';
import { blocksFromTexts } from './lineBlocks';
import { contentDigest } from './stableId';
import type { AgentEdit, AgentFileChangeEvent } from './types';

export function editsFromFileChange(change: AgentFileChangeEvent, filePath: string, before: string, after: string): AgentEdit[] {
  return editsFromParts(
    {
      tool: change.tool,
      model: change.model,
      conversationId: change.conversationId,
      ...(change.parentConversationId ? { parentConversationId: change.parentConversationId } : {}),
      ...(change.turnId ? { turnId: change.turnId } : {}),
      ...(change.cwd ? { cwd: change.cwd } : {}),
      time: change.time,
      source: 'hook',
      // Without a tool-use id, the file and the change itself identify the tool use.
      toolUseId: `${change.toolUseId ?? change.time}:${filePath}:${change.toolUseId ? '' : contentDigest(before, after)}`,
      pendingReview: change.pendingReview,
      detail: 'file change diffed against the pre-edit snapshot',
    },
    partsFromBlocks(filePath, blocksFromTexts(before, after)),
  );
}
