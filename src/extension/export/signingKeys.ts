import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { keyPaths, newSigningKeyPair, privateKeyFromPem } from '../../core/export/signing';
import { createPublicKey } from 'node:crypto';

const SECRET = 'lineagelens.signing.ed25519';

/**
 * The editor's export signing key: the private key lives only in SecretStorage (the OS keychain), and
 * reaches the export child process through its stdin. The public key is not secret: it is written to
 * `<home>/keys/editor-ed25519.pub` for auditors, and to `ed25519.pub` as well when the store home has
 * no private key of its own (`lineagelens keys generate`), so that a plain `lineagelens verify FILE`
 * finds it.
 */
export class SigningKeys {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly home: () => string,
  ) {}

  /** The private key PEM (created on first use) and where its public key is. */
  async privateKeyPem(): Promise<{ pem: string; publicKeyFile: string; created: boolean }> {
    let pem = await this.secrets.get(SECRET);
    let created = false;
    if (pem) {
      try {
        privateKeyFromPem(pem);
      } catch {
        pem = undefined; // unreadable secret: replace it rather than fail every export
      }
    }
    if (!pem) {
      pem = newSigningKeyPair().privateKeyPem;
      await this.secrets.store(SECRET, pem);
      created = true;
    }
    const publicKeyFile = this.writePublicKey(pem);
    return { pem, publicKeyFile, created };
  }

  private writePublicKey(pem: string): string {
    const paths = keyPaths(this.home());
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const publicPem = createPublicKey(privateKeyFromPem(pem)).export({ type: 'spki', format: 'pem' }).toString();
    const file = path.join(paths.dir, 'editor-ed25519.pub');
    writeFileSync(file, publicPem, { mode: 0o644 });
    if (!existsSync(paths.privateKey)) {
      writeFileSync(paths.publicKey, publicPem, { mode: 0o644 });
      chmodSync(paths.publicKey, 0o644);
    }
    return file;
  }
}
