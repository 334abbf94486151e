import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

export interface KeySetSecretProps {
  /** What the keys sign or derive, as the console and the secret's description show it. */
  description: string;
  key: kms.IKey;
  /** Keep the key set when the stack is deleted. */
  retainData?: boolean;
  /** Why the old versions must stay when a new one is added (the nag acknowledgement's reason). */
  whyVersionsStay: string;
}

/**
 * A versioned HMAC key set, `{"current":1,"k1":"…"}`, generated at deploy and encrypted with the data
 * key. It is rotated by hand (runbook): a new version (`k2`, `current: 2`) is added and the old ones
 * kept, because what was signed or derived under them must still verify; automatic rotation would
 * replace the key.
 */
export function keySetSecret(scope: Construct, id: string, props: KeySetSecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: `OmnAPI: ${props.description}`,
    encryptionKey: props.key,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ current: 1 }),
      generateStringKey: 'k1',
      passwordLength: 64,
      excludePunctuation: true,
    },
    removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: `Rotated by adding a key version by hand (runbook): ${props.whyVersionsStay}`,
  });
  return secret;
}
