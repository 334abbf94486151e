import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: the body of every token and key secret. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256, hex: how tokens, session tokens and key secrets are stored and looked up. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A short random id with a readable prefix, e.g. `acc_3f9a…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}
