import { SFNClient } from '@aws-sdk/client-sfn';

/** The Step Functions client, created once per container. */
export const sfn = new SFNClient({});
