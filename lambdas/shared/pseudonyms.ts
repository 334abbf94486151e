import { createHmac } from 'node:crypto';
import { ConfigError } from './errors';

/** What a pseudonym stands for: the HMAC input names it, so an account id and an address never share one. */
export type PseudonymKind = 'account' | 'email';

/**
 * Pseudonyms that only the holder of a secret key can link back to a person: `psn_<version>_<HMAC-SHA256
 * of kind:value, 32 hex>`. A plain hash of an address is not a pseudonym — anyone with a list of
 * addresses re-identifies it — so every pseudonym is keyed, and the key is kept apart from the data
 * (Secrets Manager deployed, a generated file under the data folder locally).
 */
export interface Pseudonymiser {
  /** The pseudonym under the current key: what erasure writes. */
  of(kind: PseudonymKind, value: string): Promise<string>;
  /**
   * The pseudonyms under every key version there is, newest first: only for finding records kept
   * under an older key (a legal hold or an authority's inquiry about a former customer).
   */
  every(kind: PseudonymKind, value: string): Promise<string[]>;
}

/** The key set's text: JSON `{ "current": 2, "k1": "…", "k2": "…" }`, each key at least 32 characters. */
export interface PseudonymKeySet {
  current: number;
  keys: Map<number, string>;
}

/** Parses and checks the key set; throws one ConfigError naming what is wrong. */
export function parsePseudonymKeys(text: string): PseudonymKeySet {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ConfigError('The pseudonym key set is not JSON');
  }
  const keys = new Map<number, string>();
  for (const [name, value] of Object.entries(parsed ?? {})) {
    const version = /^k([1-9]\d{0,5})$/.exec(name)?.[1];
    if (!version) continue;
    if (typeof value !== 'string' || value.length < 32)
      throw new ConfigError(`Pseudonym key ${name} must be a string of at least 32 characters`);
    keys.set(Number(version), value);
  }
  const current = Number(parsed?.current);
  if (!keys.has(current)) throw new ConfigError(`The pseudonym key set names current ${String(parsed?.current)}, which it does not hold`);
  return { current, keys };
}

/** The pseudonym of `value` under one key version. */
export function pseudonymWith(version: number, key: string, kind: PseudonymKind, value: string): string {
  return `psn_${version}_${createHmac('sha256', key).update(`${kind}:${value}`).digest('hex').slice(0, 32)}`;
}

/** HMAC pseudonyms over a key set read once (per container) by `load`. */
export class HmacPseudonymiser implements Pseudonymiser {
  private keySet?: Promise<PseudonymKeySet>;

  constructor(private readonly load: () => Promise<string>) {}

  async of(kind: PseudonymKind, value: string): Promise<string> {
    const { current, keys } = await this.keys();
    return pseudonymWith(current, keys.get(current)!, kind, value);
  }

  async every(kind: PseudonymKind, value: string): Promise<string[]> {
    const { keys } = await this.keys();
    return [...keys.entries()].sort(([a], [b]) => b - a).map(([version, key]) => pseudonymWith(version, key, kind, value));
  }

  private keys(): Promise<PseudonymKeySet> {
    this.keySet ??= this.load()
      .then(parsePseudonymKeys)
      .catch((error) => {
        this.keySet = undefined;
        throw error;
      });
    return this.keySet;
  }
}

/**
 * The key set a function is bound to: the Secrets Manager secret named by PSEUDONYM_KEYS_SECRET_ARN
 * (deployed), or PSEUDONYM_KEYS itself (the local runtime, which generates it under its data folder).
 */
export function pseudonymiserFromEnv(env: NodeJS.ProcessEnv = process.env): Pseudonymiser {
  if (env.PSEUDONYM_KEYS_SECRET_ARN) {
    const arn = env.PSEUDONYM_KEYS_SECRET_ARN;
    return new HmacPseudonymiser(async () => (await import('./adapters/secrets')).readSecretString(arn));
  }
  const local = env.PSEUDONYM_KEYS;
  return new HmacPseudonymiser(async () => {
    if (!local) throw new ConfigError('Neither PSEUDONYM_KEYS_SECRET_ARN nor PSEUDONYM_KEYS is set: this function cannot pseudonymise');
    return local;
  });
}
