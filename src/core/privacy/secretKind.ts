/**
 * The kinds of secret the redactor recognises, and the marker that replaces each one.
 *
 * A marker is `[REDACTED:<kind>]`. Markers are inert: no detector matches inside one, so redacting
 * already-redacted text changes nothing (idempotence), and a reader can tell what was removed.
 */
import { z } from 'zod';

export const SecretKind = z.enum([
  'private-key', // -----BEGIN ... PRIVATE KEY----- blocks (RSA, EC, DSA, OPENSSH, PGP, ENCRYPTED, ...)
  'aws-access-key-id', // AKIA/ASIA/ABIA/ACCA + 16
  'aws-secret-access-key', // 40 base64 chars assigned to an aws_secret_access_key-like name
  'github-token', // ghp_ gho_ ghu_ ghs_ ghr_ github_pat_
  'gitlab-token', // glpat- and the other gl*- token prefixes
  'slack-token', // xoxb- xoxp- xoxa- xoxr- xoxs- xoxe- xapp- (with digits: Slack tokens carry team/user ids)
  'slack-webhook', // the secret path of https://hooks.slack.com/services|workflows|triggers/...
  'stripe-key', // sk_live_ rk_live_ (and _test_), whsec_
  'google-api-key', // AIza + 35
  'openai-key', // sk-..., sk-proj-... (and OpenAI-compatible sk- keys)
  'anthropic-key', // sk-ant-...
  'npm-token', // npm_ + 36
  'pypi-token', // pypi-AgEIcHlwaS5vcmc...
  'huggingface-token', // hf_ + 34
  'sendgrid-key', // SG.xxx.yyy
  'jwt', // eyJ... . ... . ...
  'bearer-token', // the credential of an Authorization header (Bearer, Basic, Token, ...) or a "Bearer xyz" phrase
  'url-password', // the password of scheme://user:password@host
  'password', // the value assigned to a password / passwd / pwd / passphrase / *_pass name
  'generic-api-key', // the value assigned to an api_key / apikey / api-key name
  'generic-secret', // the value assigned to a *secret / secret_key / private_key / access_key ... name
  'generic-token', // the value assigned to a *token name (access_token, auth_token, ...)
  'high-entropy', // a random-looking base64/hex value assigned to any other name
  'oversize', // the whole text was withheld because it is larger than the redactor will scan
]);
export type SecretKind = z.infer<typeof SecretKind>;

const MARKERS = new Map<SecretKind, string>(SecretKind.options.map((k) => [k, `[REDACTED:${k}]`]));

export function markerFor(kind: SecretKind): string {
  return MARKERS.get(kind)!;
}

/** Finds markers already present in a text (global: reset `lastIndex` or use matchAll). */
export const MARKER_PATTERN = /\[REDACTED:[a-z0-9-]{1,40}\]/g;

export const MARKER_PREFIX = '[REDACTED:';
