import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { outputName } from '../../lambdas/shared/env-names';
import { TABLE_SPECS, type TableName } from '../../lambdas/shared/tables';
import type { ResourceMap } from '../../local/runtime';

export type Stage = 'local' | 'dev' | 'prod';

/** A running platform's resources: the local runtime's (from its resource map) or a deployed stack's outputs. */
export interface Resources {
  stage: Stage;
  outputs: Record<string, string>;
  tables: Record<TableName, string>;
  dynamo: DynamoDBDocumentClient;
  /** SDK client settings for the stage's other services. */
  clientConfig: { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  apiUrl?: string;
  /** Locally: the signing secret of Stripe webhooks (deployed stages keep it in Secrets Manager). */
  stripeWebhookSecret?: string;
  close(): void;
}

/** Reads `.omnapi/resources.json`, which `npm start` writes when it is ready: no synth, an answer in a second. */
function localMap(): ResourceMap {
  const file = path.resolve(process.env.OMNAPI_DATA_DIR ?? '.omnapi', 'resources.json');
  if (!fs.existsSync(file)) throw new Error(`No local platform found (${file} is missing): run npm start first, or pass --stage dev|prod`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ResourceMap;
}

/** The stage's rate-limit plans, from its stack output `Plans`. */
export function plansOf(resources: Pick<Resources, 'outputs'>): string[] {
  return (resources.outputs.Plans ?? '').split(',').filter(Boolean);
}

/** Finds a stage's resources: locally from the runtime's map, deployed from the stack's outputs. */
export async function resourcesFor(stage: Stage): Promise<Resources> {
  let outputs: Record<string, string>;
  let clientConfig: Resources['clientConfig'] = {};
  let dynamoEndpoint: string | undefined;
  let apiUrl: string | undefined;
  let stripeWebhookSecret: string | undefined;
  if (stage === 'local') {
    const map = localMap();
    stripeWebhookSecret = map.stripeWebhookSecret;
    outputs = map.outputs;
    // The local services accept any credentials; s3rver checks its fixed pair.
    clientConfig = { endpoint: map.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
    dynamoEndpoint = map.endpoints.dynamodb;
    apiUrl = map.endpoints.api;
  } else {
    const cloudFormation = new CloudFormationClient({});
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: `OmnApi-${stage}` }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    cloudFormation.destroy();
    apiUrl = Object.entries(outputs).find(([key]) => key.startsWith('ApiUrl'))?.[1];
  }
  const tables = Object.fromEntries(
    (Object.keys(TABLE_SPECS) as TableName[]).map((name) => {
      const value = outputs[outputName('TABLE', name)];
      if (!value) throw new Error(`The ${stage} stack has no output ${outputName('TABLE', name)}: deploy the current version first`);
      return [name, value];
    }),
  ) as Record<TableName, string>;
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientConfig, endpoint: dynamoEndpoint }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { stage, outputs, tables, dynamo, clientConfig, apiUrl, stripeWebhookSecret, close: () => dynamo.destroy() };
}
