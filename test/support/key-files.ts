import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh P-256 key pair, as ES256 signs with. */
export const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const pkcs8 = (privateKey: KeyObject) => privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
export const spki = (publicKey: KeyObject) => publicKey.export({ type: 'spki', format: 'pem' }) as string;

export interface PemFiles {
  /** Writes `text` to a new file (mode 0600) in the folder; returns its path. */
  write(text: string): string;
  /** A path in the folder (for files that must not exist). */
  path(name: string): string;
}

/** A temporary folder for key files, made before the enclosing suite and removed after it. */
export function pemFiles(prefix: string): PemFiles {
  let dir = '';
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    write(text) {
      const file = join(dir, `key-${n++}.pem`);
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    },
    path: (name) => join(dir, name),
  };
}
