import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import { parsePseudonymKeys, type PseudonymKeySet } from '../shared/pseudonyms';
import { boundName, loadSettings, mailSettings, tableSettings } from '../shared/config';

/** Every variable a notices function can be bound to, each with its one validator. */
const SETTINGS = () => ({
  ...mailSettings(),
  ...tableSettings('notices', 'accounts', 'suppressions'),
  MAIL_CONFIGURATION_SET: boundName(),
  NOTICES_FROM: z.email(),
  /** Messages one sender instance sends a second: the stage's SES rate shared by the instances the queue may run. */
  NOTICE_SENDS_PER_SECOND: z.coerce.number().positive().max(1000),
});
type Setting = keyof ReturnType<typeof SETTINGS>;
const settings = <K extends Setting>(...names: K[]) => loadSettings(SETTINGS(), names);

/** The notices sender. */
export const senderConfig = () =>
  settings(
    'TABLE_NOTICES',
    'TABLE_ACCOUNTS',
    'TABLE_SUPPRESSIONS',
    'MAIL_CONFIGURATION_SET',
    'MAIL_FROM',
    'NOTICES_FROM',
    'MAIL_DOMAIN',
    'PUBLIC_URL',
    'NOTICE_SENDS_PER_SECOND',
  );

/** The unsubscribe pages. */
export const unsubscribeConfig = () => settings('TABLE_ACCOUNTS');

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
