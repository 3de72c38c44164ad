import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isP256, type AccessKeys } from './jwt-settings.js';
import type { Findings } from './variables.js';

// RFC 7468 textual encoding: a label between BEGIN and END lines. Text outside blocks is allowed
// (explanatory notes), a boundary without its partner is not (a truncated or mangled file).
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PEM_BOUNDARY = /-----(BEGIN|END) /;

function pemBlocks(text: string): { readonly blocks: readonly { label: string; pem: string }[]; readonly stray: boolean } {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }));
  return { blocks, stray: PEM_BOUNDARY.test(text.replace(PEM_BLOCK, '')) };
}

/** A file's text, or why it cannot be read: an error code only, never a library message. */
function readText(path: string): { text: string } | { code: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'unknown error' };
  }
}

/**
 * Reads and checks the ES256 key files at start, so a bad key stops the service before it signs
 * or refuses anything. Problems name the variable and what is wrong; never the key material, nor
 * a crypto library's message (which may quote it).
 */
export function readAccessKeys(privateKeyFile: string, verifyKeysFile: string | undefined, { problems, warnings }: Findings): AccessKeys | null {
  let signingKey: KeyObject | null = null;
  const privateText = readText(privateKeyFile);
  if ('code' in privateText) {
    problems.push(`JWT_PRIVATE_KEY_FILE cannot be read (${privateText.code})`);
  } else {
    const { blocks, stray } = pemBlocks(privateText.text);
    const only = blocks.length === 1 && !stray ? blocks[0] : undefined;
    try {
      // PKCS#8 only ("PRIVATE KEY"): SEC1 ("EC PRIVATE KEY") and encrypted keys are refused, not guessed at.
      const key = only?.label === 'PRIVATE KEY' ? createPrivateKey({ key: only.pem, format: 'pem' }) : null;
      if (key && isP256(key)) signingKey = key;
    } catch {
      // Refused below, without the parser's words.
    }
    if (!signingKey) problems.push('JWT_PRIVATE_KEY_FILE must hold exactly one P-256 (prime256v1) private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)');
  }

  const verifyKeys: KeyObject[] = [];
  if (verifyKeysFile !== undefined) {
    const verifyText = readText(verifyKeysFile);
    if ('code' in verifyText && verifyText.code === 'ENOENT') {
      warnings.push('JWT_VERIFY_KEYS_FILE names no file: only the current signing key is accepted');
    } else if ('code' in verifyText) {
      problems.push(`JWT_VERIFY_KEYS_FILE cannot be read (${verifyText.code})`);
    } else {
      const { blocks, stray } = pemBlocks(verifyText.text);
      if (stray) problems.push('JWT_VERIFY_KEYS_FILE has a PEM BEGIN or END line without its partner');
      blocks.forEach(({ label, pem }, i) => {
        let key: KeyObject | null = null;
        try {
          key = label === 'PUBLIC KEY' ? createPublicKey({ key: pem, format: 'pem' }) : null;
        } catch {
          // Refused below, without the parser's words.
        }
        if (key && isP256(key)) verifyKeys.push(key);
        else problems.push(`JWT_VERIFY_KEYS_FILE: key ${i + 1} is not a P-256 public key in SPKI PEM (-----BEGIN PUBLIC KEY-----)`);
      });
    }
  }
  return signingKey ? { signingKey, verifyKeys } : null;
}
