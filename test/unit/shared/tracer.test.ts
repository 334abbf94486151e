import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { documentClient, newDynamoDbClient } from '../../../lambdas/shared/clients/factories';
import { traced } from '../../../lambdas/shared/tracer';

const xray = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().filter((m) => /xray/i.test(m));

describe('traced AWS clients', () => {
  it('gets an X-Ray middleware on every call when tracing is on (in Lambda), and reaches the document client built over it', () => {
    const env = process.env.AWS_EXECUTION_ENV;
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    try {
      const tracer = new Tracer({ serviceName: 'test' });
      const base = traced(newDynamoDbClient(), tracer);
      expect(xray(base)).not.toEqual([]);
      expect(xray(documentClient(base))).toEqual(xray(base));
    } finally {
      if (env === undefined) delete process.env.AWS_EXECUTION_ENV;
      else process.env.AWS_EXECUTION_ENV = env;
    }
  });

  it('is left untouched outside Lambda (tests, the local runtime)', () => {
    const client = new DynamoDBClient({});
    expect(traced(client, new Tracer({ serviceName: 'test' }))).toBe(client);
    expect(xray(client)).toEqual([]);
  });
});
