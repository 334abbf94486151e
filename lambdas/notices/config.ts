import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import { parsePseudonymKeys, type PseudonymKeySet } from '../shared/pseudonyms';
import { boundName, loadConfig, publicUrl } from '../shared/config';

/** The notices sender's settings, validated at cold start. */
export const senderConfig = () =>
  loadConfig({
    TABLE_NOTICES: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SUPPRESSIONS: boundName(),
    MAIL_CONFIGURATION_SET: boundName(),
    MAIL_FROM: z.email(),
    NOTICES_FROM: z.email(),
    MAIL_DOMAIN: z.string().min(3),
    PUBLIC_URL: publicUrl(),
    /** Messages one sender instance sends a second: the stage's SES rate shared by the instances the queue may run. */
    NOTICE_SENDS_PER_SECOND: z.coerce.number().positive().max(1000),
  });

/** The unsubscribe pages' settings. */
export const unsubscribeConfig = () => loadConfig({ TABLE_ACCOUNTS: boundName() });

/**
 * The link-signing key set, read once per container: the Secrets Manager secret named by
 * NOTICE_LINK_KEYS_SECRET_ARN (deployed), or NOTICE_LINK_KEYS itself (the local runtime generates it
 * under its data folder). Same shape and rotation as the pseudonym keys.
 */
export function linkKeysFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<PseudonymKeySet> {
  let keys: Promise<PseudonymKeySet> | undefined;
  const load = async () => {
    if (env.NOTICE_LINK_KEYS_SECRET_ARN)
      return (await import('../shared/adapters/secrets')).readSecretString(env.NOTICE_LINK_KEYS_SECRET_ARN);
    if (env.NOTICE_LINK_KEYS) return env.NOTICE_LINK_KEYS;
    throw new ConfigError(
      'Neither NOTICE_LINK_KEYS_SECRET_ARN nor NOTICE_LINK_KEYS is set: this function cannot sign or check unsubscribe links',
    );
  };
  return () => {
    keys ??= load()
      .then(parsePseudonymKeys)
      .catch((error) => {
        keys = undefined;
        throw error;
      });
    return keys;
  };
}
