/**
 * Installing, removing and inspecting LineageLens's hook entries in an agent's hook configuration file.
 * Pure functions over the file's text: the caller reads and writes the file (hooksConfigLocation says where).
 *
 * - Install merges our entries idempotently: a second install changes nothing; an entry whose command
 *   changed (LineageLens moved) is updated in place; every other entry stays byte for byte.
 * - Uninstall removes exactly our entries, and the containers that only held them, so install followed by
 *   uninstall gives back the original text.
 * - A file that is not valid JSON, or whose `hooks` is not what the tool expects, is never rewritten:
 *   HooksConfigError says what is wrong and where.
 */
import type { ConnectorTool } from '../connectors/types';
import { HOOK_SPECS, type HookSpec, isOurCommand } from './hookSpecs';
import { appendChild, childRemovalSpans, detectStyle, isArrayNode, isObjectNode, type JsonStyle, replaceValue, type Span } from './jsonSplice';
import { type JsonNode, JsonSyntaxError, parseJsonTree, propertyOf } from './jsonTree';

export class HooksConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HooksConfigError';
  }
}

export interface HooksEdit {
  text: string;
  changed: boolean;
}

export interface HooksRemoval extends HooksEdit {
  /** Nothing but what a new file starts with is left: the caller may delete a file LineageLens created. */
  removable: boolean;
}

export interface HooksStatus {
  state: 'installed' | 'partial' | 'not_installed';
  /** Per event we subscribe to: whether our entry is there. */
  events: Record<string, boolean>;
  /** Our commands as found (differing from the one to install means LineageLens moved: install updates them). */
  commands: string[];
}

export function installHooks(tool: ConnectorTool, existingText: string | undefined, command: string): HooksEdit {
  const spec = HOOK_SPECS[tool];
  if (!isOurCommand(tool, command)) {
    throw new HooksConfigError(`the hook command must contain "lineagelens ... hook ${tool}" so that status and uninstall can recognise it`);
  }
  if (existingText === undefined || existingText.trim() === '') {
    const hooks = Object.fromEntries(spec.events.map((e) => [e.name, [spec.entry(command, e)]]));
    return { text: JSON.stringify({ ...(spec.newFileMembers ?? {}), hooks }, null, 2) + '\n', changed: true };
  }
  const style = detectStyle(existingText);
  let text = existingText;
  for (const event of spec.events) {
    // Each splice moves offsets: parse again before the next one (hook files are small).
    for (;;) {
      const next = installStep(spec, text, event, command, style);
      if (next === undefined) break;
      text = next;
    }
  }
  return { text, changed: text !== existingText };
}

/** One change towards "our entry for `event` is there, once, with `command`"; undefined when there is nothing left to do. */
function installStep(spec: HookSpec, text: string, event: { name: string; matcher?: string }, command: string, style: JsonStyle): string | undefined {
  const root = parseRoot(text);
  const hooksProp = propertyOf(root, 'hooks');
  if (!hooksProp) return appendChild(text, root, { key: 'hooks', value: { [event.name]: [spec.entry(command, event)] } }, style);
  const hooks = hooksProp.value;
  if (!isObjectNode(hooks)) throw new HooksConfigError('"hooks" is not an object: not changed');
  const eventProp = propertyOf(hooks, event.name);
  if (!eventProp) return appendChild(text, hooks, { key: event.name, value: [spec.entry(command, event)] }, style);
  const list = eventProp.value;
  if (!isArrayNode(list)) throw new HooksConfigError(`"hooks.${event.name}" is not an array: not changed`);
  const ours = ourCommands(spec, list);
  if (ours.length === 0) return appendChild(text, list, { value: spec.entry(command, event) }, style);
  if (ours.length > 1) {
    // Duplicates (e.g. from a hand edit): keep the first.
    const keep = ours[0].command.start;
    const deduplicated = removeCommands(spec, text, root, (name, c) => name === event.name && c.command.start !== keep);
    return deduplicated === text ? undefined : deduplicated;
  }
  const [only] = ours;
  return only.command.value === command ? undefined : replaceValue(text, only.command, command);
}

export function uninstallHooks(tool: ConnectorTool, text: string): HooksRemoval {
  const spec = HOOK_SPECS[tool];
  if (text.trim() === '') return { text, changed: false, removable: true };
  const root = parseRoot(text);
  const result = removeCommands(spec, text, root, () => true);
  return { text: result, changed: result !== text, removable: isBare(spec, result) };
}

interface OurCommand {
  /** Index of the entry in the event's list. */
  entryIndex: number;
  /** For grouped shapes: index of the hook within the group's `hooks`. */
  hookIndex?: number;
  command: Extract<JsonNode, { type: 'string' }>;
}

/** Our commands in an event's list, in order. */
function ourCommands(spec: HookSpec, list: Extract<JsonNode, { type: 'array' }>): OurCommand[] {
  const found: OurCommand[] = [];
  for (const [entryIndex, entry] of list.items.entries()) {
    if (spec.shape === 'flat') {
      const cmd = commandOf(entry);
      if (cmd && isOurCommand(spec.tool, cmd.value)) found.push({ entryIndex, command: cmd });
      continue;
    }
    const inner = innerHooks(entry);
    if (!inner) continue;
    for (const [hookIndex, hook] of inner.items.entries()) {
      const cmd = commandOf(hook);
      if (cmd && isOurCommand(spec.tool, cmd.value)) found.push({ entryIndex, hookIndex, command: cmd });
    }
  }
  return found;
}

function innerHooks(entry: JsonNode | undefined): Extract<JsonNode, { type: 'array' }> | undefined {
  const inner = isObjectNode(entry) ? propertyOf(entry, 'hooks')?.value : undefined;
  return isArrayNode(inner) ? inner : undefined;
}

function commandOf(node: JsonNode): Extract<JsonNode, { type: 'string' }> | undefined {
  const cmd = isObjectNode(node) ? propertyOf(node, 'command')?.value : undefined;
  return cmd?.type === 'string' ? cmd : undefined;
}

/**
 * Removes the selected commands of ours in one pass, and every container that held nothing else: a group
 * whose hooks were all ours, an event whose entries were all ours, `hooks` when all its events were. A
 * container the user left empty before is not touched (it holds none of ours).
 */
function removeCommands(spec: HookSpec, text: string, root: Extract<JsonNode, { type: 'object' }>, selected: (event: string, c: OurCommand) => boolean): string {
  const hooksProp = propertyOf(root, 'hooks');
  if (!hooksProp || !isObjectNode(hooksProp.value)) return text;
  const hooks = hooksProp.value;
  const spans: Span[] = [];
  const removedEvents = new Set<number>();
  for (const [e, eventProp] of hooks.properties.entries()) {
    const list = eventProp.value;
    if (!isArrayNode(list)) continue;
    const ours = ourCommands(spec, list).filter((c) => selected(eventProp.key, c));
    if (ours.length === 0) continue;
    const removedEntries = new Set<number>();
    const innerSpans: Span[] = [];
    for (const [entryIndex, entry] of list.items.entries()) {
      const mine = ours.filter((c) => c.entryIndex === entryIndex);
      if (mine.length === 0) continue;
      const inner = innerHooks(entry);
      if (spec.shape === 'flat' || !inner || mine.length === inner.items.length) removedEntries.add(entryIndex);
      else innerSpans.push(...childRemovalSpans(inner, new Set(mine.map((c) => c.hookIndex!))));
    }
    if (removedEntries.size === list.items.length) removedEvents.add(e);
    else spans.push(...innerSpans, ...childRemovalSpans(list, removedEntries));
  }
  if (removedEvents.size > 0 && removedEvents.size === hooks.properties.length) {
    spans.push(...childRemovalSpans(root, new Set([root.properties.indexOf(hooksProp)])));
  } else {
    spans.push(...childRemovalSpans(hooks, removedEvents));
  }
  let out = text;
  for (const span of spans.sort((a, b) => b.start - a.start)) out = out.slice(0, span.start) + out.slice(span.end);
  return out;
}

export function hooksStatus(tool: ConnectorTool, text: string | undefined): HooksStatus {
  const spec = HOOK_SPECS[tool];
  const events: Record<string, boolean> = Object.fromEntries(spec.events.map((e) => [e.name, false]));
  const commands: string[] = [];
  if (text !== undefined && text.trim() !== '') {
    const hooks = propertyOf(parseRoot(text), 'hooks')?.value;
    if (isObjectNode(hooks)) {
      for (const prop of hooks.properties) {
        if (!isArrayNode(prop.value)) continue;
        const ours = ourCommands(spec, prop.value);
        if (ours.length > 0 && prop.key in events) events[prop.key] = true;
        for (const o of ours) if (!commands.includes(o.command.value)) commands.push(o.command.value);
      }
    }
  }
  const present = Object.values(events).filter(Boolean).length;
  return { state: present === 0 ? 'not_installed' : present === spec.events.length ? 'installed' : 'partial', events, commands };
}

function parseRoot(text: string): Extract<JsonNode, { type: 'object' }> {
  let root: JsonNode;
  try {
    root = parseJsonTree(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new HooksConfigError(`the hook configuration is not valid JSON (line ${err.line}, column ${err.column}: ${err.reason}): not changed`);
    throw err;
  }
  if (!isObjectNode(root)) throw new HooksConfigError('the hook configuration is not a JSON object: not changed');
  return root;
}

/** Only what a new file would start with is left (no hooks, or an empty hooks object). */
function isBare(spec: HookSpec, text: string): boolean {
  const root = parseRoot(text);
  const extra = Object.keys(spec.newFileMembers ?? {});
  return root.properties.every((p) => extra.includes(p.key) || (p.key === 'hooks' && isObjectNode(p.value) && p.value.properties.length === 0));
}
