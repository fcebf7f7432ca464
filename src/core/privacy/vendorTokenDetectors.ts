/**
 * Secrets recognised by their own shape: vendor tokens with a fixed prefix, and JWTs. These are the most
 * certain findings, so they run first and name the kind when a broader rule matches the same text.
 *
 * Every pattern starts with a literal prefix guarded by a lookbehind (so a run of token characters is
 * only tried where it begins) and ends with a negative lookahead on the body's own alphabet (so a token
 * is matched whole or not at all). Lengths are bounded above. Together these keep each pattern linear.
 */
import { combinedPatternDetector, type Detector } from './detector';
import { gibberishRatio } from './randomness';

/** An `sk-` key, not a word that happens to start with sk- (`sk-loading-spinner-2`). */
function looksLikeKeyBody(body: string): boolean {
  return /[0-9]/.test(body) && /[A-Za-z]/.test(body) && gibberishRatio(body) >= 0.1;
}

export function vendorTokenDetector(): Detector {
  return combinedPatternDetector('vendor-tokens', [
    // Anthropic before OpenAI: both start with sk-.
    { kind: 'anthropic-key', pattern: /(?<![\w-])sk-ant-[a-z]{2,10}\d{2}-[\w-]{20,300}(?![\w-])/ },
    {
      kind: 'openai-key',
      pattern: /(?<![\w-])sk-(?:(?:proj|svcacct|admin|None)-)?[\w-]{20,300}(?![\w-])/,
      accept: (key) => looksLikeKeyBody(key.replace(/^sk-(?:(?:proj|svcacct|admin|None)-)?/, '')),
    },
    { kind: 'github-token', pattern: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,251}(?![A-Za-z0-9])|github_pat_\w{22,255}(?!\w))/ },
    // Personal, deploy, runner, CI job, pipeline trigger, feed, incoming mail, agent, SCIM, OAuth app,
    // feature-flag client and workspace tokens, and runner registration tokens (GR1348941...).
    {
      kind: 'gitlab-token',
      pattern:
        /(?<![\w-])(?:(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat|gloas|glffct|glwt)-[\w-]{20,255}(?:\.[\w-]{1,20}){0,3}(?![\w-])|GR1348941[\w-]{20,64}(?![\w-]))/,
    },
    { kind: 'slack-webhook', pattern: /(?<![\w.-])hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_/-]{20,300})/ },
    { kind: 'slack-token', pattern: /(?<![\w-])(?:xox[abeprs]|xapp)-[A-Za-z0-9-]{10,400}(?![A-Za-z0-9-])/, accept: (t) => /\d/.test(t) },
    {
      kind: 'stripe-key',
      pattern: /(?<![\w-])(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])|whsec_[A-Za-z0-9]{20,100}(?![A-Za-z0-9]))/,
    },
    { kind: 'google-api-key', pattern: /(?<![\w-])AIza[\w-]{35}(?![\w-])/ },
    { kind: 'npm-token', pattern: /(?<![\w-])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
    { kind: 'pypi-token', pattern: /(?<![\w-])pypi-AgE[A-Za-z0-9_-]{50,1000}(?![\w-])/ },
    {
      kind: 'huggingface-token',
      pattern: /(?<![\w-])hf_(?<secret>[A-Za-z0-9]{30,40})(?![A-Za-z0-9])/,
      accept: (body) => /[A-Z]/.test(body) && /[a-z]/.test(body),
    },
    { kind: 'sendgrid-key', pattern: /(?<![\w-])SG\.[\w-]{16,32}\.[\w-]{16,64}(?![\w-])/ },
    { kind: 'aws-access-key-id', pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
    // Three base64url segments, the first a JSON header (`eyJ` = `{"`). The signature may be empty (alg none).
    { kind: 'jwt', pattern: /(?<![\w-])eyJ[\w-]{5,8000}\.[\w-]{2,16000}\.[\w-]{0,8000}(?![\w-])/ },
  ]);
}
