/**
 * Reading a hook payload from stdin without trusting its size: bytes past the cap are read and dropped
 * (the agent's write must not fail on a closed pipe), and only the count is kept. Read from file
 * descriptor 0 directly: `process.stdin` loads the networking stack for a pipe, a noticeable part of a
 * hook's start-up; the stream is used only where the descriptor cannot be read synchronously.
 */
import { fstatSync, readSync } from 'node:fs';

/** One payload is one tool call; 16 MiB is far beyond any real one. */
export const MAX_HOOK_PAYLOAD_BYTES = 16 * 1024 * 1024;

export type HookStdin = { kind: 'text'; text: string; bytes: number } | { kind: 'too_large'; bytes: number } | { kind: 'binary'; bytes: number } | { kind: 'terminal' };

export async function readHookStdin(maxBytes: number = MAX_HOOK_PAYLOAD_BYTES): Promise<HookStdin> {
  // Run by hand in a terminal (or from /dev/null), there is no payload to wait for.
  if (fstatSync(0).isCharacterDevice()) return { kind: 'terminal' };
  const collected = new Collected(maxBytes);
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer, 0, buffer.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EOF') break; // Windows: the writer closed the pipe
      if (code !== 'EAGAIN') throw err;
      // A non-blocking descriptor: read the rest as a stream.
      for await (const chunk of process.stdin) collected.add(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      break;
    }
    if (n === 0) break;
    collected.add(Buffer.from(buffer.subarray(0, n)));
  }
  return collected.result();
}

class Collected {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes <= this.maxBytes) this.chunks.push(chunk);
    else this.chunks.length = 0;
  }

  result(): HookStdin {
    if (this.bytes > this.maxBytes) return { kind: 'too_large', bytes: this.bytes };
    const all = Buffer.concat(this.chunks, this.bytes);
    if (all.includes(0)) return { kind: 'binary', bytes: this.bytes };
    return { kind: 'text', text: all.toString('utf8'), bytes: this.bytes };
  }
}
