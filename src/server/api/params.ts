/** Query strings as plain objects for zod: a repeated parameter is refused rather than silently merged. */
import type { z } from 'zod';
import { HttpError, validationError } from '../http/respond';

export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) throw new HttpError(400, `query parameter "${k.slice(0, 50)}" given more than once`);
    out[k] = v;
  }
  return out;
}

export function parseQuery<T extends z.ZodType>(schema: T, url: URL): z.infer<T> {
  const result = schema.safeParse(queryObject(url));
  if (!result.success) throw validationError('query', result.error);
  return result.data;
}

export function parseBody<T extends z.ZodType>(schema: T, value: unknown, what = 'request body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(what, result.error);
  return result.data;
}
