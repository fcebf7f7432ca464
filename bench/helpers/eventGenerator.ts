/**
 * Deterministic, realistic provenance records for benchmarks and store tests: many repositories with
 * ~500 files each, a skewed choice of files (a few are edited a lot), sessions of ~20 edits by one tool,
 * a mix of tools and models, inline completions (short, no prompt) and agent edits (longer, with a
 * prompt), log-normal text sizes, dispositions, and now and then a secret for the redactor to find.
 * Same seed, same records.
 */
import { createHash } from 'node:crypto';
import type { AiEditSession, Content, EditEvent, ProvenanceRecord } from '../../src/core/model/schema';
import { seededRandom as prng } from '../../test/fixtures/secrets/fakeSecrets';

export interface GeneratorShape {
  repos: number;
  filesPerRepo: number;
  /** Average edits per session. */
  sessionLength: number;
  /** Milliseconds between consecutive records, on average. */
  spacingMs: number;
  startTime: number;
}

export const REALISTIC_SHAPE: GeneratorShape = { repos: 40, filesPerRepo: 500, sessionLength: 20, spacingMs: 30_000, startTime: Date.parse('2025-01-01T00:00:00Z') };

const TOOLS: { name: string; weight: number; agent: boolean; models: string[] }[] = [
  { name: 'copilot', weight: 50, agent: false, models: ['openai/gpt-4o', 'openai/gpt-4.1', 'unknown'] },
  { name: 'cursor', weight: 15, agent: true, models: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1', 'cursor/cursor-small'] },
  { name: 'claude-code', weight: 15, agent: true, models: ['anthropic/claude-sonnet-4-5', 'anthropic/claude-opus-4-1'] },
  { name: 'codex', weight: 8, agent: true, models: ['openai/gpt-5-codex', 'openai/o3'] },
  { name: 'windsurf', weight: 5, agent: true, models: ['windsurf/swe-1', 'unknown'] },
  { name: 'continue', weight: 4, agent: false, models: ['ollama/qwen2.5-coder', 'mistral/codestral'] },
  { name: 'cline', weight: 3, agent: true, models: ['google/gemini-2.5-pro', 'anthropic/claude-sonnet-4-5'] },
];
const TOOL_WEIGHT = TOOLS.reduce((n, t) => n + t.weight, 0);

const DIRS = ['src', 'src/api', 'src/core', 'src/ui', 'src/util', 'lib', 'test', 'scripts', 'pkg/server', 'internal/db', 'app/models', 'app/views'];
const NAMES = ['index', 'client', 'server', 'handler', 'model', 'store', 'config', 'utils', 'parser', 'router', 'auth', 'billing', 'invoice', 'cache', 'queue', 'worker', 'schema', 'types', 'api', 'main'];
const EXTS = ['ts', 'tsx', 'js', 'py', 'go', 'rs', 'java', 'rb', 'cs', 'md'];
const WORDS = ['const', 'let', 'return', 'if', 'else', 'await', 'function', 'result', 'value', 'items', 'count', 'error', 'request', 'response', 'user', 'config', 'options', 'data', 'index', 'map', 'filter', 'reduce', 'throw', 'new', 'string', 'number', 'null', 'this', 'async', 'for', 'of', 'in', 'try', 'catch'];
const PUNCT = [' = ', '(', ')', ', ', '.', ' + ', ' === ', ': ', '[', ']', ' => ', ';', ' {', '}'];
const DISPOSITIONS: EditEvent['disposition'][] = ['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected', 'rejected', 'partially_kept', 'partially_kept', 'pending'];
const SECRET_LINES = ['const apiKey = "sk-proj-4f9Qa8Zr2LmX7wKc1VbN5tHy3JdE6uPo";', 'password = "hunter2-Correct-Horse-42"', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export class EventGenerator {
  private readonly random: () => number;
  private readonly repos: { id: string; remote: string }[];
  private time: number;
  private made = 0;
  private session: { id: string; tool: (typeof TOOLS)[number]; model: string; repo: number; left: number; files: Set<string>; started: number; added: number; kept: number; rejected: number } | null = null;

  constructor(
    seed = 1,
    private readonly shape: GeneratorShape = REALISTIC_SHAPE,
    /** Prepended to record ids, so that several generators never produce the same id. */
    private readonly idPrefix = '',
  ) {
    this.random = prng(seed);
    this.time = shape.startTime;
    this.repos = Array.from({ length: shape.repos }, (_, i) => ({ id: sha(`repo-${seed}-${i}`), remote: `github.com/org${i % 7}/service-${i}` }));
  }

  /** The repository ids, in order. */
  repoIds(): string[] {
    return this.repos.map((r) => r.id);
  }

  /** File path of file number `n` (0-based) of every repository. */
  static filePath(n: number): string {
    return `${DIRS[n % DIRS.length]}/${NAMES[Math.floor(n / DIRS.length) % NAMES.length]}${Math.floor(n / (DIRS.length * NAMES.length)) || ''}.${EXTS[n % EXTS.length]}`;
  }

  batch(count: number): ProvenanceRecord[] {
    const out: ProvenanceRecord[] = [];
    for (let i = 0; i < count; i++) out.push(this.next());
    return out;
  }

  /** The next record: mostly edits; a session record when a session ends. */
  next(): ProvenanceRecord {
    this.time += Math.round(this.shape.spacingMs * (0.2 + 1.6 * this.random()));
    this.made++;
    const s = (this.session ??= this.startSession());
    if (s.left <= 0) {
      this.session = null;
      return this.sessionRecord(s);
    }
    s.left--;
    return this.edit(s);
  }

  private startSession() {
    let pick = this.random() * TOOL_WEIGHT;
    const tool = TOOLS.find((t) => (pick -= t.weight) < 0) ?? TOOLS[0]!;
    return {
      id: `ses_${this.idPrefix}${this.made.toString(36).padStart(10, '0')}${Math.floor(this.random() * 1e9).toString(36)}`,
      tool,
      model: tool.models[Math.floor(this.random() * tool.models.length)]!,
      repo: Math.floor(this.random() * this.repos.length),
      left: Math.max(1, Math.round(this.shape.sessionLength * (0.5 + this.random()))),
      files: new Set<string>(),
      started: this.time,
      added: 0,
      kept: 0,
      rejected: 0,
    };
  }

  private edit(s: NonNullable<EventGenerator['session']>): EditEvent {
    // u^2 skews towards low file numbers: a few files get most edits, as in real projects.
    const u = this.random();
    const path = EventGenerator.filePath(Math.floor(u * u * this.shape.filesPerRepo));
    s.files.add(path);
    const text = this.code(s.tool.agent ? 400 : 90);
    const lines = text.split('\n').length;
    const startLine = Math.floor(this.random() * 600);
    const lastLine = text.slice(text.lastIndexOf('\n') + 1);
    const disposition = DISPOSITIONS[Math.floor(this.random() * DISPOSITIONS.length)]!;
    s.added += lines;
    if (disposition === 'rejected') s.rejected += lines;
    else s.kept += lines;
    const deleted = this.random() < 0.4 ? this.code(40) : '';
    const repo = this.repos[s.repo]!;
    return {
      schema: 'lineagelens.provenance/1',
      kind: 'edit',
      id: `ed_${this.idPrefix}${this.made.toString(36).padStart(12, '0')}${Math.floor(this.random() * 1e12).toString(36)}`,
      time: new Date(this.time).toISOString(),
      tool: { name: s.tool.name, version: '1.0.0' },
      model: this.model(s.model),
      prompt: s.tool.agent ? { content: content(this.prose()), source: 'hook', turnId: `turn-${this.made}` } : null,
      sessionId: s.id,
      file: { path, repo: { id: repo.id, remote: repo.remote }, branch: 'main', commit: sha(`${s.id}`).slice(0, 40) },
      rangeBefore: { start: { line: startLine, character: 0 }, end: { line: startLine, character: deleted.length > 0 ? 10 : 0 } },
      rangeAfter: { start: { line: startLine, character: 0 }, end: { line: startLine + lines - 1, character: lastLine.length } },
      insertedText: content(text),
      deletedText: deleted ? content(deleted) : { form: 'none' },
      contentHash: sha(text),
      disposition,
      acceptor: { gitName: 'Dana Smith', gitEmail: 'dana@example.com', osUser: 'dana' },
      capture: { method: s.tool.agent ? 'hook' : 'keybinding', confidence: s.tool.agent ? 1 : 0.98 },
      review: { status: 'unreviewed' },
    };
  }

  private sessionRecord(s: NonNullable<EventGenerator['session']>): AiEditSession {
    const repo = this.repos[s.repo]!;
    return {
      schema: 'lineagelens.provenance/1',
      kind: 'session',
      id: s.id,
      tool: { name: s.tool.name },
      model: this.model(s.model),
      prompts: s.tool.agent ? [{ content: content(this.prose()), source: 'hook' }] : [],
      repo: { id: repo.id, remote: repo.remote },
      files: [...s.files],
      startedAt: new Date(s.started).toISOString(),
      endedAt: new Date(this.time).toISOString(),
      counts: { linesAdded: s.added, linesKept: s.kept, linesRejected: s.rejected },
      capture: { method: 'hook', confidence: 1 },
    };
  }

  private model(key: string): EditEvent['model'] {
    if (key === 'unknown') return 'unknown';
    const [provider, id] = key.split('/');
    return { id: id!, provider };
  }

  /** Code-like text, log-normal length around `median` characters, capped at 8 KB. */
  private code(median: number): string {
    const target = Math.min(8192, Math.max(8, Math.round(median * Math.exp(0.9 * this.gaussian()))));
    let text = '';
    let line = '';
    while (text.length + line.length < target) {
      line += WORDS[Math.floor(this.random() * WORDS.length)]! + PUNCT[Math.floor(this.random() * PUNCT.length)]!;
      if (line.length > 30 + this.random() * 50) {
        text += (text ? '\n  ' : '') + line;
        line = '';
      }
    }
    if (this.random() < 0.01) text += `\n${SECRET_LINES[Math.floor(this.random() * SECRET_LINES.length)]}`;
    return text || line;
  }

  private prose(): string {
    const words = 10 + Math.floor(this.random() * 50);
    return Array.from({ length: words }, () => WORDS[Math.floor(this.random() * WORDS.length)]).join(' ');
  }

  private gaussian(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }
}

function content(text: string): Content {
  return { form: 'text', text, sha256: sha(text) };
}
