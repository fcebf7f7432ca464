/** Times as the records want them: ISO 8601 in UTC. Sources give ISO strings, epoch milliseconds or nothing. */

/** The ISO form of a time given as an ISO-ish string or epoch milliseconds; undefined when it is not a time. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Seconds instead of milliseconds (some tools): anything before 2001 in ms is taken as seconds.
    const ms = value < 1e12 ? value * 1000 : value;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return isoTime(Number(value));
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

export function nowIso(): string {
  return new Date().toISOString();
}
