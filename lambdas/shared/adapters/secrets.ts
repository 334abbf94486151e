import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../errors';

/** The text of one Secrets Manager secret (its AWSCURRENT version); a short-lived client, as this runs once per container or per refresh. */
export async function readSecretString(secretId: string): Promise<string> {
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError(`The secret ${secretId} holds no text`);
    return SecretString;
  } finally {
    client.destroy();
  }
}
