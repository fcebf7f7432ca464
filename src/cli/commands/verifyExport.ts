/** `lineagelens verify <export> [--key PUB.pem]`: see core/export/verifyExport.ts. Exit 0 ok, 1 problems, 2 unreadable. */
import { existsSync } from 'node:fs';
import { keyPaths, loadPublicKey } from '../../core/export/signing';
import { verifyExport } from '../../core/export/verifyExport';

export async function runVerifyExport(file: string, home: string, keyFile: string | undefined, json: boolean): Promise<number> {
  if (!existsSync(file)) {
    process.stderr.write(`lineagelens verify: ${file} does not exist\n`);
    return 2;
  }
  try {
    const pub = keyFile ?? keyPaths(home).publicKey;
    const publicKey = existsSync(pub) ? loadPublicKey(pub) : null;
    const result = await verifyExport(file, { publicKey });
    if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const lines = [result.ok ? `export verified: ${result.records} record(s), signed with key ${result.keyId?.slice(0, 16)}…` : `export FAILED verification (${result.problems.length} problem(s)):`];
      for (const p of result.problems) lines.push(`  ${p.kind}: ${p.message}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return result.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`lineagelens verify: ${(err as Error).message}\n`);
    return 2;
  }
}
