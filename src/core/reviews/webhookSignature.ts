/**
 * Is this webhook delivery from the provider we configured? GitHub signs the raw body with the shared
 * secret (HMAC-SHA256, header `X-Hub-Signature-256: sha256=<hex>`); GitLab sends the secret itself in
 * `X-Gitlab-Token`. Both compare in constant time, on the exact bytes received (re-serialised JSON would
 * not match the signature).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

function equalConstantTime(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyGithubSignature(secret: string, body: Buffer, header: string | undefined): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return { ok: false, reason: 'X-Hub-Signature-256 is not "sha256=<64 hex digits>"' };
  const expected = createHmac('sha256', secret).update(body).digest();
  return equalConstantTime(expected, Buffer.from(m[1]!.toLowerCase(), 'hex')) ? { ok: true } : { ok: false, reason: 'signature does not match the configured secret' };
}

export function verifyGitlabToken(secret: string, header: string | undefined): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Gitlab-Token header' };
  // Hash both sides first so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHmac('sha256', 'lineagelens-gitlab-token').update(s).digest();
  return equalConstantTime(digest(secret), digest(header)) ? { ok: true } : { ok: false, reason: 'X-Gitlab-Token does not match the configured secret' };
}

/** The body signature GitHub would send, for tests and for replaying recorded deliveries. */
export function githubSignatureHeader(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
