import { randomBytes, scrypt as scryptCallback, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { loadConfig } from '../config';

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
 * The cost new passwords are hashed at: OWASP's, unless the local runtime passes `LOCAL_SCRYPT_LOG_N`
 * (the e2e tests ask for a cheap one: a sign-up at the deployed cost is most of a second of a core).
 * Only the local runtime sets that variable — no construct binds it, so a deployed function never has
 * it — and it can only lower N: r and p stay, and every hash records its own cost, so a hash made at
 * one cost verifies under any other.
 */
export function scryptCostOf(env: NodeJS.ProcessEnv = process.env): ScryptCost {
  const { LOCAL_SCRYPT_LOG_N: logN } = loadConfig(
    { LOCAL_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(OWASP_SCRYPT.logN).optional() },
    // Empty is unset, as the runtime's own LOCAL_SCRYPT_LOG_N.
    { LOCAL_SCRYPT_LOG_N: env.LOCAL_SCRYPT_LOG_N || undefined },
  );
  return logN === undefined ? OWASP_SCRYPT : { ...OWASP_SCRYPT, logN };
}

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
