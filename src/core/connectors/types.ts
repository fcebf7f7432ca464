/**
 * The normalised shape every agent connector produces, whatever the tool and whatever the source (a hook
 * payload or a transcript line). Connectors only read and normalise; turning these into provenance records
 * is `agentEditToRecords` (toRecords.ts), and storing them is the store's job.
 */
import type { Model } from '../model/schema';

/** Canonical names of the tools with connectors (the `tool.name` of the records they produce). */
export const CONNECTOR_TOOLS = ['claude-code', 'cursor', 'copilot', 'codex', 'windsurf'] as const;
export type ConnectorTool = (typeof CONNECTOR_TOOLS)[number];

export function isConnectorTool(name: string): name is ConnectorTool {
  return (CONNECTOR_TOOLS as readonly string[]).includes(name);
}

/** Whole lines, 0-based, end-exclusive: `{startLine: 4, endLine: 6}` is lines 5 and 6 as an editor numbers them. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

export type AgentEventSource = 'hook' | 'transcript';

/** One change an agent made to one file. */
export interface AgentEdit {
  kind: 'edit';
  tool: string;
  toolVersion?: string;
  /** The model of the turn that made the edit; 'unknown' when the source does not say (Claude Code hooks). */
  model: Model;
  /** The user turn that led to the edit. */
  prompt?: { text: string; turnId?: string; time?: string };
  conversationId: string;
  /** For a subagent's edit: the conversation that started the subagent (its session groups both). */
  parentConversationId?: string;
  turnId?: string;
  /** As the agent gave it: absolute, or relative to `cwd`. */
  filePath: string;
  cwd?: string;
  /** The replaced text; undefined when the source does not say what was replaced (e.g. Copilot's edit log). */
  oldText?: string;
  newText: string;
  /** The resulting lines in the new file, when computable (a diff, a structured patch, a whole-file write). */
  range?: LineRange;
  /** The replaced lines in the old file, when computable. */
  rangeBefore?: LineRange;
  rejected: boolean;
  /**
   * The change is in the file but the user has not kept or undone it yet (Copilot runs its hook before
   * Keep/Undo; a transcript tool use without a result). Recorded as disposition 'pending'.
   */
  pendingReview?: boolean;
  time: string;
  source: AgentEventSource;
  /** Deterministic (sha256 of tool, conversation, tool-use id and index): re-importing gives the same ids. */
  stableId: string;
  /** Non-sensitive detail for `capture.detail`: the hook event and tool, or the transcript line. Never code or prompt text. */
  detail?: string;
}

/** A prompt the user submitted (UserPromptSubmit, beforeSubmitPrompt, a transcript's user line). */
export interface AgentPromptEvent {
  kind: 'prompt';
  tool: string;
  toolVersion?: string;
  model?: Model;
  conversationId: string;
  parentConversationId?: string;
  turnId?: string;
  text: string;
  time: string;
  cwd?: string;
  source: AgentEventSource;
  stableId: string;
}

/**
 * An agent is about to edit these files (PreToolUse and the like). The content is not known yet: a caller
 * that wants exact line ranges for tools whose post-edit payload carries no patch can snapshot the files now.
 */
export interface AgentPreEditEvent {
  kind: 'pre_edit';
  tool: string;
  conversationId: string;
  parentConversationId?: string;
  toolUseId?: string;
  filePaths: string[];
  cwd?: string;
  time: string;
}

/**
 * An agent changed these files but the payload does not carry the change (Copilot's editFiles, a Windsurf
 * post_write_code without edits): the caller can diff them against its pre_edit snapshot.
 */
export interface AgentFileChangeEvent {
  kind: 'file_change';
  tool: string;
  model: Model;
  conversationId: string;
  parentConversationId?: string;
  toolUseId?: string;
  turnId?: string;
  filePaths: string[];
  cwd?: string;
  time: string;
  pendingReview?: boolean;
}

export type AgentEvent = AgentEdit | AgentPromptEvent | AgentPreEditEvent | AgentFileChangeEvent;

export interface HookParseResult {
  events: AgentEvent[];
  /** Why parts of the payload were not understood. Never contain code or prompt text. */
  warnings: string[];
  /** What the caller may need to enrich the events (e.g. the transcript to read the model from). */
  context: {
    hookEventName?: string;
    conversationId?: string;
    transcriptPath?: string;
    cwd?: string;
  };
}

export interface HookParseOptions {
  /** Time of the events when the payload has none (hooks fire as things happen). Default: now. */
  now?: string;
}

export interface TranscriptWarning {
  /** 1-based line of a JSONL transcript, when the warning is about one line. */
  line?: number;
  message: string;
}

export interface TranscriptImport {
  edits: AgentEdit[];
  prompts: AgentPromptEvent[];
  warnings: TranscriptWarning[];
}

export interface TranscriptImportOptions {
  /** Where the transcript was read from: conversation ids and subagent parents can come from the path. */
  path: string;
  /**
   * Time for records of transcripts that carry no timestamps (Cursor agent transcripts, Windsurf), e.g. the
   * file's modification time. Default: now (with a warning).
   */
  fallbackTime?: string;
}
