/**
 * Ed25519 keys and DSSE envelopes (node:crypto only). The private key is a PKCS#8 PEM file with mode
 * 0600 in `<store home>/keys/` (directory 0700) and never leaves the machine; the public key is SPKI PEM
 * next to it, and its id is the SHA-256 of its DER bytes. DSSE signs PAE(payloadType, payload):
 * "DSSEv1 <len(type)> <type> <len(body)> <body>", so the payload type is signed too.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export function keyPaths(home: string): { dir: string; privateKey: string; publicKey: string } {
  const dir = path.join(home, 'keys');
  return { dir, privateKey: path.join(dir, 'ed25519.key'), publicKey: path.join(dir, 'ed25519.pub') };
}

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** A new Ed25519 key pair as PEM text (private: PKCS#8, public: SPKI), for keys kept outside the store home. */
export function newSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
  };
}

/** An Ed25519 private key from PKCS#8 PEM text (stdin, SecretStorage); anything else is refused. */
export function privateKeyFromPem(pem: string): KeyObject {
  if (pem.length > 16_384 || !pem.includes('PRIVATE KEY')) throw new Error('the signing key given is not a PEM private key');
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key given is not an Ed25519 key');
  return key;
}

export function generateSigningKey(home: string, options: { force?: boolean } = {}): { keyId: string; privateKey: string; publicKey: string } {
  const paths = keyPaths(home);
  if (existsSync(paths.privateKey) && !options.force) throw new Error(`a signing key already exists at ${paths.privateKey} (use --force to replace it)`);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // Written with mode 0600 from the start (not chmod-ed after), so it is never readable by others.
  writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  chmodSync(paths.privateKey, 0o600);
  writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { keyId: keyId(publicKey), privateKey: paths.privateKey, publicKey: paths.publicKey };
}

export function loadPrivateKey(home: string): KeyObject {
  const file = keyPaths(home).privateKey;
  if (!existsSync(file)) throw new Error(`no signing key at ${file}: run \`lineagelens keys generate\` first`);
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`);
  return key;
}

export function loadPublicKey(file: string): KeyObject {
  const key = createPublicKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 public key`);
  return key;
}

export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export const DsseEnvelope = z.object({
  payloadType: z.string().min(1).max(200),
  payload: z.string().max(512 * 1024 * 1024),
  signatures: z.array(z.object({ keyid: z.string().max(200).optional(), sig: z.string().min(1).max(10_000) })).min(1).max(20),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

export function signEnvelope(payloadType: string, payload: Buffer, privateKey: KeyObject): DsseEnvelope {
  const signature = sign(null, pae(payloadType, payload), privateKey);
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: keyId(createPublicKey(privateKey)), sig: signature.toString('base64') }] };
}

/** Which signature (if any) verifies with `publicKey`. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): { ok: boolean; keyId: string; signedBy: string[] } {
  const id = keyId(publicKey);
  const message = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const ok = envelope.signatures.some((s) => {
    try {
      return verify(null, message, publicKey, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
  return { ok, keyId: id, signedBy: envelope.signatures.map((s) => s.keyid ?? '(no key id)') };
}
