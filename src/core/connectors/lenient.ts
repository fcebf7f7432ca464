/**
 * zod building blocks for reading tool output leniently: unknown fields pass through, a missing or
 * wrongly-typed optional field reads as undefined instead of failing the whole record, and an array keeps
 * the elements it understands. Tools change their formats between versions; a reader built from these
 * keeps working on what it still recognises.
 */
import { z } from 'zod';

export const optString = z.string().optional().catch(undefined);
export const optNumber = z.number().optional().catch(undefined);
export const optBoolean = z.boolean().optional().catch(undefined);
/** A string or epoch number (times come as either). */
export const optTimeValue = z.union([z.string(), z.number()]).optional().catch(undefined);

/** An array of the elements that match `item`; undefined when the value is not an array. */
export function lenientArray<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .optional()
    .catch(undefined)
    .transform((values) => values?.flatMap((v) => {
      const r = item.safeParse(v);
      return r.success ? [r.data as z.output<T>] : [];
    }));
}

/** Any JSON object (fields unchecked); undefined when the value is not an object. */
export const optObject = z.record(z.string(), z.unknown()).optional().catch(undefined);

/** The parsed value, or undefined when even the lenient schema does not match (e.g. not an object at all). */
export function readLenient<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** A string field of an unknown value, for digging in deep optional structures. */
export function stringAt(value: unknown, ...keys: string[]): string | undefined {
  let v: unknown = value;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === 'string' ? v : undefined;
}

/** The first of several alternative string fields (tools spell the same field in snake and camel case). */
export function firstString(value: Record<string, unknown> | undefined, ...keys: string[]): string | undefined {
  if (!value) return undefined;
  for (const k of keys) {
    const v = value[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** A JSON value given as an object or as a JSON string of one (tool arguments come both ways). */
export function objectOrJson(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
