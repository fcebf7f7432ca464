/**
 * The contract between the redaction engine and the detectors, plus the helper that turns one regular
 * expression into a detector.
 *
 * Every pattern given to `patternDetector` must be linear on any input: a literal prefix, bounded
 * quantifiers, and a left-boundary lookbehind so that a long run of token characters is only tried from
 * its first character (otherwise a 1 MB run would be re-scanned from every position: quadratic).
 */
import type { SecretKind } from './secretKind';

/** A secret at [start, end) of the scanned text. */
export interface Finding {
  start: number;
  end: number;
  kind: SecretKind;
}

export interface Detector {
  /** For diagnostics and tests. */
  readonly name: string;
  /**
   * Appends every secret found in `text` to `out`; overlapping findings are resolved by the engine.
   * `out` already holds the findings of the detectors that run before this one, so a broad detector
   * may skip candidates they already cover (an optimisation only: duplicates are merged anyway).
   */
  find(text: string, out: Finding[]): void;
}

export interface PatternDetectorOptions {
  /**
   * The secret is the group `(?<secret>...)` when the pattern has one, otherwise the whole match. The
   * secret group must END the match (lookaheads aside), so its position follows from its length and
   * the pattern runs without the `d` flag and with numbered groups: both cost per match, and matches
   * can be dense (a text of nothing but `curl -u a:b`). Return false to drop a match.
   */
  accept?: (secret: string, match: RegExpExecArray, text: string) => boolean;
}

/** Capturing groups in a pattern source: `(` and `(?<name>`, not escaped, not in a class, not `(?:` `(?=` `(?!` `(?<=` `(?<!`. */
function capturingGroups(source: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && (source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!'))) n++;
  }
  return n;
}

/** The source with named groups made plain (numbered) groups. */
function withoutGroupNames(source: string): string {
  return source.replace(/\(\?<([A-Za-z]\w*)>/g, '(');
}

export function patternDetector(name: string, kind: SecretKind, pattern: RegExp, options: PatternDetectorOptions = {}): Detector {
  const secretAt = pattern.source.indexOf('(?<secret>');
  const secretGroup = secretAt < 0 ? 0 : capturingGroups(pattern.source.slice(0, secretAt)) + 1;
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const re = new RegExp(withoutGroupNames(pattern.source), flags.replace('d', ''));
  return {
    name,
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++; // never loop on an empty match
          continue;
        }
        const end = m.index + m[0].length;
        const secret = secretGroup ? m[secretGroup] : m[0];
        if (!secret) continue;
        if (options.accept && !options.accept(secret, m, text)) continue;
        out.push({ start: end - secret.length, end, kind });
      }
    },
  };
}

export interface PatternRule {
  kind: SecretKind;
  /**
   * As for patternDetector, except that a `secret` group must END the match (lookaheads aside): its
   * position is then known without the `d` flag. Only the `g` flag is allowed (the others would apply
   * to every rule), and no other capturing groups.
   */
  pattern: RegExp;
  accept?: (secret: string) => boolean;
}

/**
 * Many patterns in ONE pass: an alternation of the rules, tried at each position in order, so the first
 * rule that matches there wins. About twice as fast as one pass per pattern for the vendor tokens, and
 * with numbered groups (no `d` flag, no `groups` object) cheap per match even when matches are dense.
 */
export function combinedPatternDetector(name: string, rules: PatternRule[]): Detector {
  const ruleGroup: number[] = [];
  const secretGroup: number[] = [];
  let group = 1;
  for (const r of rules) {
    if (r.pattern.flags.replace('g', '') !== '') throw new Error(`rule for ${r.kind}: only the g flag may be used`);
    const inner = capturingGroups(r.pattern.source);
    const hasSecret = r.pattern.source.includes('(?<secret>');
    if (inner > (hasSecret ? 1 : 0)) throw new Error(`rule for ${r.kind}: no capturing groups but (?<secret>...)`);
    ruleGroup.push(group);
    secretGroup.push(hasSecret ? group + 1 : 0);
    group += 1 + inner;
  }
  const source = rules.map((r) => `(${r.pattern.source.replace('(?<secret>', '(')})`).join('|');
  const re = new RegExp(source, 'g');
  return {
    name,
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        let i = 0;
        while (m[ruleGroup[i]!] === undefined) i++;
        const rule = rules[i]!;
        const end = m.index + m[0].length;
        const secret = secretGroup[i] ? m[secretGroup[i]!]! : m[0];
        const start = end - secret.length;
        if (rule.accept && !rule.accept(secret)) continue;
        out.push({ start, end, kind: rule.kind });
      }
    },
  };
}
