import { randomBytes, scrypt as scryptCallback, type ScryptOptions, timingSafeEqual } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

export interface ScryptCost {
  /** log2 of N. OWASP: 17 (N = 131072) with r = 8, p = 1 — 128 MiB per hash. */
  logN: number;
  r: number;
  p: number;
}

export const OWASP_SCRYPT: ScryptCost = { logN: 17, r: 8, p: 1 };
const KEY_LENGTH = 64;

/**
 * scrypt from node:crypto, with a per-password random salt. Stored as
 * `scrypt$logN$r$p$salt$hash`, so the cost can be raised later without breaking old hashes. Shared:
 * accounts hash and check sign-in passwords with it, privacy checks the password that confirms an
 * erasure asked for through the API.
 */
export class ScryptHasher {
  /** Made on first need, not at load: functions that never verify an unknown email never pay for it. */
  private decoy?: Promise<string>;

  constructor(private readonly cost: ScryptCost = OWASP_SCRYPT) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { logN, r, p } = this.cost;
    const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options(logN, r, p));
    return ['scrypt', logN, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string | undefined): Promise<boolean> {
    const genuine = stored !== undefined;
    const [scheme, logN, r, p, salt, expected] = (stored ?? (await (this.decoy ??= this.hash(randomBytes(16).toString('hex'))))).split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const wanted = Buffer.from(expected, 'base64url');
    const key = await scrypt(
      password.normalize('NFKC'),
      Buffer.from(salt, 'base64url'),
      wanted.length,
      options(Number(logN), Number(r), Number(p)),
    );
    return timingSafeEqual(key, wanted) && genuine;
  }
}

function options(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN;
  return { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
}
