// Test-only companion of LineageLens. The integration-test harness (test/exthost/run.mjs) loads it as a
// second extensionDevelopmentPath beside the extension under test, in dev and vsix runs alike; it is never
// packaged. It stands in for the AI tools whose edits LineageLens must capture, with fixed output so the
// tests can assert exactly what is stored:
//   - an inline completion provider: on the lines after a `@complete NAME` marker it offers COMPLETIONS[NAME]
//     as ghost text, multi-word and multi-line, so a full accept, next word and next line all differ;
//   - `lineagelensCompanion.applyChatEdit`: what VS Code's chat editing does around an agent's edit (it opens
//     `chat-editing-text-model` documents whose path is the file's and whose query names the chat session),
//     then ONE WorkspaceEdit over every file;
//   - a formatter for `*.fmt.txt` files that rewrites only some lines (tabs in indentation, trailing blanks),
//     so formatting over AI text changes it only where those occur;
//   - `lineagelensCompanion.stats`: how often each was used, for failure messages.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain-JS extension is CommonJS: the editor API comes through require()
const vscode = require('vscode');

/** The ghost text offered after `@complete NAME`. `mean` is tab-indented so the formatter has work in it. */
const COMPLETIONS = {
  sum: 'function sum(values) {\n  return values.reduce((total, value) => total + value, 0);\n}\n',
  mean: 'function mean(values) {\n\treturn sum(values) / values.length;\n}\n',
};

const MARKER = /@complete\s+([\w-]+)\s*$/;
/** How far above the cursor the marker may be: a completion being accepted piece by piece spans lines. */
const MARKER_SEARCH_LINES = 20;

/** The scheme VS Code's chat editing gives the documents of a file an agent is editing. */
const CHAT_EDITING_SCHEME = 'chat-editing-text-model';

const FORMATTED_FILES = { scheme: 'file', pattern: '**/*.fmt.txt' };

const stats = { inlineRequests: 0, inlineItems: 0, chatEdits: 0, formatRuns: 0 };

function findMarker(document, position) {
  for (let line = position.line - 1; line >= 0 && line >= position.line - MARKER_SEARCH_LINES; line--) {
    const match = MARKER.exec(document.lineAt(line).text);
    if (match) return { line, name: match[1] };
  }
  return undefined;
}

const inlineProvider = {
  provideInlineCompletionItems(document, position) {
    stats.inlineRequests++;
    const marker = findMarker(document, position);
    const completion = marker && COMPLETIONS[marker.name];
    if (!completion) return undefined;
    // The item always spans from the line after the marker to the cursor, as real providers do: after a
    // partial accept the accepted part is already in the document and the ghost text shows the rest.
    const start = new vscode.Position(marker.line + 1, 0);
    const typed = document.getText(new vscode.Range(start, position));
    if (!completion.startsWith(typed) || typed.length >= completion.length) return undefined;
    stats.inlineItems++;
    return [new vscode.InlineCompletionItem(completion, new vscode.Range(start, position))];
  },
};

function toUri(value) {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string') return vscode.Uri.parse(value);
  throw new Error(`applyChatEdit: edit uri must be a Uri or a string, got ${typeof value}`);
}

/** The chat-editing document shows the file as it is; only its identity matters to an observer. */
const chatEditingContent = {
  async provideTextDocumentContent(uri) {
    const file = vscode.Uri.from({ scheme: 'file', path: uri.path });
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
    if (open) return open.getText();
    try {
      return Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
    } catch {
      return ''; // a file the agent is about to create
    }
  },
};

/**
 * args: { sessionId: string, edits: [{ uri: Uri | string, line: number, text: string, create?: boolean, replaceLines?: number }] }.
 * Each edit inserts `text` at the start of `line` (or, with `replaceLines: n`, replaces the n whole lines
 * from `line` with it, as an agent rewriting code does); with `create`, the file is created by the same
 * WorkspaceEdit first (as agents create new files). Returns what workspace.applyEdit returned.
 */
async function applyChatEdit(args) {
  const sessionId = args?.sessionId;
  const edits = args?.edits;
  if (typeof sessionId !== 'string' || !Array.isArray(edits) || edits.length === 0) {
    throw new Error('applyChatEdit needs { sessionId: string, edits: [{ uri, line, text }, ...] }');
  }
  const files = new Map();
  for (const e of edits) files.set(toUri(e.uri).toString(), toUri(e.uri));
  let documentNumber = 0;
  for (const file of files.values()) {
    documentNumber++;
    const query = JSON.stringify({ kind: 'doc', documentId: `d${documentNumber}`, chatSessionId: sessionId });
    await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: CHAT_EDITING_SCHEME, path: file.path, query }));
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) {
    if (e.create) edit.createFile(toUri(e.uri), { ignoreIfExists: false });
    if (e.replaceLines) edit.replace(toUri(e.uri), new vscode.Range(e.line, 0, e.line + e.replaceLines, 0), e.text);
    else edit.insert(toUri(e.uri), new vscode.Position(e.line, 0), e.text);
  }
  stats.chatEdits++;
  return vscode.workspace.applyEdit(edit);
}

/** Trailing blanks go; tabs in the indentation become two spaces each. Every other line stays as it is. */
function formatLine(text) {
  return text.replace(/[ \t]+$/, '').replace(/^[ \t]+/, (indent) => indent.replace(/\t/g, '  '));
}

const formatter = {
  provideDocumentFormattingEdits(document) {
    stats.formatRuns++;
    const edits = [];
    for (let i = 0; i < document.lineCount; i++) {
      const line = document.lineAt(i);
      const formatted = formatLine(line.text);
      if (formatted !== line.text) edits.push(vscode.TextEdit.replace(line.range, formatted));
    }
    return edits;
  },
};

function activate(context) {
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ scheme: 'file', pattern: '**' }, inlineProvider),
    vscode.workspace.registerTextDocumentContentProvider(CHAT_EDITING_SCHEME, chatEditingContent),
    vscode.commands.registerCommand('lineagelensCompanion.applyChatEdit', applyChatEdit),
    vscode.languages.registerDocumentFormattingEditProvider(FORMATTED_FILES, formatter),
    vscode.commands.registerCommand('lineagelensCompanion.stats', () => ({ ...stats })),
  );
  return { completions: { ...COMPLETIONS } };
}

function deactivate() {}

module.exports = { activate, deactivate };
