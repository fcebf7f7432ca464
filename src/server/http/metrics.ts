/** Prometheus text exposition of the server's counters (no client library: a handful of counters). */
export class Metrics {
  private readonly requests = new Map<string, number>();
  recordsAccepted = 0;
  recordsDuplicate = 0;
  batchesRejected = 0;
  rateLimited = 0;

  countRequest(route: string, status: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(gauges: { recordsStored: number; lineagePending: number }): string {
    const mem = process.memoryUsage();
    const lines = [
      '# HELP lineagelens_http_requests_total HTTP requests by route and status.',
      '# TYPE lineagelens_http_requests_total counter',
      ...[...this.requests].map(([k, v]) => `lineagelens_http_requests_total{${k}} ${v}`),
      '# HELP lineagelens_ingest_records_total Uploaded entries by outcome.',
      '# TYPE lineagelens_ingest_records_total counter',
      `lineagelens_ingest_records_total{outcome="accepted"} ${this.recordsAccepted}`,
      `lineagelens_ingest_records_total{outcome="duplicate"} ${this.recordsDuplicate}`,
      '# HELP lineagelens_ingest_batches_rejected_total Batches rejected for breaking their chain.',
      '# TYPE lineagelens_ingest_batches_rejected_total counter',
      `lineagelens_ingest_batches_rejected_total ${this.batchesRejected}`,
      '# HELP lineagelens_rate_limited_total Requests answered 429.',
      '# TYPE lineagelens_rate_limited_total counter',
      `lineagelens_rate_limited_total ${this.rateLimited}`,
      '# HELP lineagelens_records_stored Records in the database.',
      '# TYPE lineagelens_records_stored gauge',
      `lineagelens_records_stored ${gauges.recordsStored}`,
      '# HELP lineagelens_lineage_pending_uploads Uploads waiting in the lineage outbox to be indexed into the graph.',
      '# TYPE lineagelens_lineage_pending_uploads gauge',
      `lineagelens_lineage_pending_uploads ${gauges.lineagePending}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${mem.heapUsed}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
