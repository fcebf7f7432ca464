/**
 * `lineagelens keys generate [--force] [--home DIR]`: an Ed25519 key pair for signing exports; the private
 * key stays in `<home>/keys/ed25519.key` (mode 0600). `lineagelens keys show`: the public key and its id,
 * to hand to an auditor (who verifies with `lineagelens verify FILE --key ed25519.pub`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { generateSigningKey, keyId, keyPaths, loadPublicKey } from '../../core/export/signing';
import { parseStoreArgs } from './storeArgs';

const USAGE = 'usage: lineagelens keys generate [--force] [--home DIR] | lineagelens keys show [--home DIR]\n';

export async function runKeys(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseStoreArgs(rest, [], ['--force']);
    if (sub !== 'generate' && sub !== 'show') throw new Error(`unknown subcommand "${sub ?? ''}"`);
  } catch (err) {
    process.stderr.write(`lineagelens keys: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    if (sub === 'generate') {
      const made = generateSigningKey(parsed.home, { force: parsed.flags.has('--force') });
      process.stdout.write(`created an Ed25519 key pair\n  private: ${made.privateKey} (mode 0600, never leaves this machine)\n  public:  ${made.publicKey}\n  key id:  ${made.keyId}\n`);
      return 0;
    }
    const file = keyPaths(parsed.home).publicKey;
    if (!existsSync(file)) throw new Error(`no public key at ${file}: run \`lineagelens keys generate\``);
    process.stdout.write(`key id: ${keyId(loadPublicKey(file))}\n${readFileSync(file, 'utf8')}`);
    return 0;
  } catch (err) {
    process.stderr.write(`lineagelens keys: ${(err as Error).message}\n`);
    return 1;
  }
}
