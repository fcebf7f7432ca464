import { provenanceJsonSchemas } from '../../core/model/jsonSchema';

export function runSchema(): number {
  process.stdout.write(`${JSON.stringify(provenanceJsonSchemas(), null, 2)}\n`);
  return 0;
}
