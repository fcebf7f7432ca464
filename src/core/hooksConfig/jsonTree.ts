/**
 * A strict JSON parser that remembers where every value is in the text. Hook configuration files are
 * edited by splicing text at those positions instead of re-serialising the whole document, so every byte
 * we do not change (the user's formatting, key order, other hooks) stays exactly as it was.
 */

export interface JsonSpan {
  /** Offset of the value's first character. */
  start: number;
  /** Offset just after the value's last character. */
  end: number;
}

export interface JsonProperty {
  key: string;
  keyStart: number;
  value: JsonNode;
}

export type JsonNode =
  | (JsonSpan & { type: 'object'; properties: JsonProperty[] })
  | (JsonSpan & { type: 'array'; items: JsonNode[] })
  | (JsonSpan & { type: 'string'; value: string })
  | (JsonSpan & { type: 'number'; value: number })
  | (JsonSpan & { type: 'boolean'; value: boolean })
  | (JsonSpan & { type: 'null'; value: null });

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`invalid JSON at line ${line}, column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

export function parseJsonTree(text: string): JsonNode {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (reason: string, at = pos): never => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonSyntaxError(at >= text.length ? 'unexpected end of the text' : reason, at, line, at - lineStart + 1);
  };
  const skipWhitespace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };
  const parseString = (): JsonNode & { type: 'string' } => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        try {
          return { type: 'string', start, end: pos, value: JSON.parse(text.slice(start, pos)) as string };
        } catch {
          return fail('invalid escape in a string', start);
        }
      }
      if (c === 0x5c) pos += 2;
      else if (c < 0x20) return fail('control character in a string');
      else pos++;
    }
    return fail('unterminated string', start);
  };
  const parseValue = (depth: number): JsonNode => {
    if (depth > 512) fail('nesting too deep');
    skipWhitespace();
    const start = pos;
    const c = text.charAt(pos);
    if (c === '{') {
      pos++;
      const properties: JsonProperty[] = [];
      skipWhitespace();
      if (text.charAt(pos) === '}') {
        pos++;
        return { type: 'object', start, end: pos, properties };
      }
      for (;;) {
        skipWhitespace();
        if (text.charAt(pos) !== '"') fail('expected a property name in double quotes');
        const keyStart = pos;
        const key = parseString().value;
        skipWhitespace();
        if (text.charAt(pos) !== ':') fail("expected ':' after a property name");
        pos++;
        const value = parseValue(depth + 1);
        properties.push({ key, keyStart, value });
        skipWhitespace();
        if (text.charAt(pos) === ',') {
          pos++;
          continue;
        }
        if (text.charAt(pos) === '}') {
          pos++;
          return { type: 'object', start, end: pos, properties };
        }
        fail("expected ',' or '}' in an object");
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      skipWhitespace();
      if (text.charAt(pos) === ']') {
        pos++;
        return { type: 'array', start, end: pos, items };
      }
      for (;;) {
        items.push(parseValue(depth + 1));
        skipWhitespace();
        if (text.charAt(pos) === ',') {
          pos++;
          continue;
        }
        if (text.charAt(pos) === ']') {
          pos++;
          return { type: 'array', start, end: pos, items };
        }
        fail("expected ',' or ']' in an array");
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value === null ? { type: 'null', start, end: pos, value } : { type: 'boolean', start, end: pos, value };
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (m) {
      pos += m[0].length;
      return { type: 'number', start, end: pos, value: Number(m[0]) };
    }
    return fail(pos >= text.length ? 'unexpected end of the text' : 'unexpected character');
  };

  const root = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return root;
}

/** The property named `key` of an object node. */
export function propertyOf(node: JsonNode, key: string): JsonProperty | undefined {
  return node.type === 'object' ? node.properties.find((p) => p.key === key) : undefined;
}
