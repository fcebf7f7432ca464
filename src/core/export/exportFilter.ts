/**
 * Which records an export includes: repository, path glob, time window, tool, model, session and
 * disposition, validated with zod (they come from CLI flags and the editor's export dialog). Filters
 * that only make sense for edits (path, disposition) leave sessions out.
 */
import { z } from 'zod';
import type { ProvenanceRecord } from '../model/schema';
import { modelKey } from '../store/index/indexRow';

const Iso = z.iso.datetime({ offset: true });

export const ExportFilter = z
  .object({
    /** Repository id, or its normalised remote (`github.com/acme/shop`). */
    repo: z.string().min(1).max(1000).optional(),
    /** Glob over repository-relative paths: `*` within a segment, `**` across segments, `?` one character. */
    path: z.string().min(1).max(1000).optional(),
    since: Iso.optional(),
    until: Iso.optional(),
    tool: z.string().min(1).max(100).optional(),
    /** `provider/id` or a bare model id. */
    model: z.string().min(1).max(301).optional(),
    session: z.string().min(1).max(200).optional(),
    disposition: z.enum(['pending', 'accepted', 'rejected', 'partially_kept']).optional(),
  })
  .strict();
export type ExportFilter = z.infer<typeof ExportFilter>;

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments; a trailing `**` anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function recordMatcher(filter: ExportFilter): (record: ProvenanceRecord) => boolean {
  const path = filter.path ? globToRegExp(filter.path) : null;
  const since = filter.since ? Date.parse(filter.since) : null;
  const until = filter.until ? Date.parse(filter.until) : null;
  const editOnly = filter.path !== undefined || filter.disposition !== undefined;
  return (record) => {
    const repo = record.kind === 'edit' ? record.file.repo : record.repo;
    if (filter.repo && !(repo && (repo.id === filter.repo || repo.remote === filter.repo))) return false;
    if (filter.tool && record.tool.name !== filter.tool) return false;
    if (filter.model) {
      const key = modelKey(record.model);
      if (key !== filter.model && (record.model === 'unknown' || record.model.id !== filter.model)) return false;
    }
    const time = Date.parse(record.kind === 'edit' ? record.time : record.startedAt);
    if (since !== null && time < since) return false;
    if (until !== null && time >= until) return false;
    if (record.kind === 'session') return !editOnly && (!filter.session || record.id === filter.session);
    if (filter.session && record.sessionId !== filter.session) return false;
    if (path && !path.test(record.file.path)) return false;
    if (filter.disposition && record.disposition !== filter.disposition) return false;
    return true;
  };
}
