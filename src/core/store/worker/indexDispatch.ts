/** Runs one index call by name: shared by the worker and the in-process index so both behave the same. */
import type { IndexMethod } from './protocol';
import type { IndexService } from '../index/indexService';
import type { ProvenanceQuery } from '../index/indexQuery';

export function dispatchIndexCall(service: IndexService, method: IndexMethod, arg: unknown): unknown {
  switch (method) {
    case 'query':
      return service.query(arg as ProvenanceQuery);
    case 'lineage':
      return service.lineage(arg);
    case 'hasRecords':
      return service.hasRecords(arg as string[]);
    case 'getRecords':
      return service.getRecords(arg as (number | string)[]);
    case 'stats':
      return service.stats();
    case 'snapshot':
      return service.snapshot();
    case 'catchUp':
      return service.catchUp();
    case 'close':
      return service.close();
  }
}
