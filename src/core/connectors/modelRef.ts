/**
 * Model names as tools report them, normalised to the data model's `{id, provider?}` or 'unknown'. Tools
 * write placeholders ("auto", "default", "<synthetic>") where no real model is known: those are 'unknown',
 * because a placeholder recorded as a model would be a false attribution.
 */
import type { Model } from '../model/schema';

const PLACEHOLDERS = new Set(['', 'unknown', 'default', 'auto', '<synthetic>', 'copilot/auto', 'none', 'null']);

/** The provider a model id implies, when it is unambiguous. */
export function providerOfModel(id: string): string | undefined {
  const m = id.toLowerCase();
  if (m.startsWith('claude') || m.startsWith('anthropic')) return 'anthropic';
  if (/^(gpt|o\d|chatgpt|codex|openai)/.test(m)) return 'openai';
  if (m.startsWith('gemini') || m.startsWith('gemma')) return 'google';
  if (m.startsWith('grok')) return 'xai';
  return undefined;
}

/** A model from a tool-given name; `provider` when the source says it, else inferred from the id. */
export function modelFromName(name: unknown, provider?: string): Model {
  if (typeof name !== 'string') return 'unknown';
  let id = name.trim();
  if (PLACEHOLDERS.has(id.toLowerCase())) return 'unknown';
  // Copilot prefixes its ids with the vendor namespace ("copilot/claude-sonnet-4").
  if (id.toLowerCase().startsWith('copilot/')) id = id.slice('copilot/'.length);
  if (id === '' || id.length > 200) return 'unknown';
  const p = provider?.trim() || providerOfModel(id);
  return p ? { id, provider: p.slice(0, 100) } : { id };
}

/**
 * A model from a display name such as Copilot's "Claude Sonnet 4.5 • 0.9x" (the part before the bullet,
 * lower-cased with dashes: "claude-sonnet-4.5").
 */
export function modelFromDisplayName(display: unknown): Model {
  if (typeof display !== 'string') return 'unknown';
  const name = display.split(/[•·|]/)[0].trim();
  if (name === '') return 'unknown';
  return modelFromName(name.toLowerCase().replace(/\s+/g, '-'));
}
