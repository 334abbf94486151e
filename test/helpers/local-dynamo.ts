import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { TABLE_SPECS, type TableName } from '../../lambdas/shared/tables';
import { DynamoDbProxy } from '../../local/dynamodb-proxy';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBDocumentClient;
  /** Every item of every table, for assertions over all stored data. */
  scanAll(): Promise<Record<TableName, Record<string, unknown>[]>>;
  /** Requests served so far, by `Operation table` (e.g. `UpdateItem ledger`), as the proxy counts them. */
  calls(key: string): number;
  stop(): Promise<void>;
}

/**
 * In-memory dynalite behind the local runtime's transaction proxy, with every table of the app:
 * adapter and handler tests run against the real DynamoDB protocol, transactions and conditions
 * (and, with `indexLagMs`, indexes that lag behind their writes as DynamoDB's may).
 */
export async function startLocalDynamo(options: { indexLagMs?: number } = {}): Promise<LocalDynamo> {
  const backend = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const proxy = new DynamoDbProxy(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, undefined, options);
  const server = http.createServer(proxy.listener());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  for (const [name, spec] of Object.entries(TABLE_SPECS) as [TableName, { gsi1?: boolean }][]) {
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          ...(spec.gsi1
            ? [
                { AttributeName: 'gsi1pk', AttributeType: 'S' as const },
                { AttributeName: 'gsi1sk', AttributeType: 'S' as const },
              ]
            : []),
        ],
        GlobalSecondaryIndexes: spec.gsi1
          ? [
              {
                IndexName: 'gsi1',
                KeySchema: [
                  { AttributeName: 'gsi1pk', KeyType: 'HASH' },
                  { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            ]
          : undefined,
      }),
    );
  }
  return {
    endpoint,
    client,
    calls: (key: string) => proxy.calls.get(key) ?? 0,
    async scanAll() {
      const all = {} as Record<TableName, Record<string, unknown>[]>;
      for (const name of Object.keys(TABLE_SPECS) as TableName[]) {
        all[name] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
          all[name].push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return all;
    },
    async stop() {
      client.destroy();
      proxy.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => backend.close(resolve));
    },
  };
}
