import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { DynamoDbProxy } from '../../../local/dynamodb-proxy';
import { startLocalDynamo } from '../../helpers/local-dynamo';

const listen = (server: http.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('local DynamoDB transactions (proxy over dynalite)', () => {
  let backend: http.Server;
  let front: http.Server;
  let proxy: DynamoDbProxy;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    backend = dynalite({ createTableMs: 0 });
    proxy = new DynamoDbProxy(`http://127.0.0.1:${await listen(backend)}`);
    front = http.createServer(proxy.listener());
    const raw = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${await listen(front)}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await raw.send(
      new CreateTableCommand({
        TableName: 'txn',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      }),
    );
    db = DynamoDBDocumentClient.from(raw);
  });
  afterAll(async () => {
    db?.destroy();
    proxy?.close();
    for (const server of [front, backend]) {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    }
  });

  const get = async (pk: string) => (await db.send(new GetCommand({ TableName: 'txn', Key: { pk, sk: 's' } }))).Item;

  it('applies every part of a transaction', async () => {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'txn', Item: { pk: 'a', sk: 's', v: 1 } } },
          { Put: { TableName: 'txn', Item: { pk: 'b', sk: 's', v: 2 } } },
        ],
      }),
    );
    expect([await get('a'), await get('b')]).toEqual([
      { pk: 'a', sk: 's', v: 1 },
      { pk: 'b', sk: 's', v: 2 },
    ]);
  });

  it('undoes the parts already applied when a later condition fails, and says which failed', async () => {
    await db.send(new PutCommand({ TableName: 'txn', Item: { pk: 'c', sk: 's', v: 1 } }));
    const failure = await db
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: 'txn',
                Key: { pk: 'c', sk: 's' },
                UpdateExpression: 'SET v = :v',
                ExpressionAttributeValues: { ':v': 99 },
              },
            },
            { Put: { TableName: 'txn', Item: { pk: 'new', sk: 's' } } },
            { ConditionCheck: { TableName: 'txn', Key: { pk: 'missing', sk: 's' }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      )
      .catch((e) => e);
    expect(failure).toBeInstanceOf(TransactionCanceledException);
    expect(failure.CancellationReasons.map((r: { Code: string }) => r.Code)).toEqual(['None', 'None', 'ConditionalCheckFailed']);
    expect(await get('c')).toEqual({ pk: 'c', sk: 's', v: 1 });
    expect(await get('new')).toBeUndefined();
    expect(await get('missing')).toBeUndefined();
  });

  it('serializes concurrent transactions: a conditional counter never passes its limit', async () => {
    await db.send(new PutCommand({ TableName: 'txn', Item: { pk: 'counter', sk: 's', n: 0 } }));
    const attempts = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: 'txn',
                  Key: { pk: 'counter', sk: 's' },
                  UpdateExpression: 'SET n = n + :one',
                  ConditionExpression: 'n < :limit',
                  ExpressionAttributeValues: { ':one': 1, ':limit': 10 },
                },
              },
              { Put: { TableName: 'txn', Item: { pk: `claim-${i}`, sk: 's' } } },
            ],
          }),
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    expect((await get('counter'))!.n).toBe(10);
    const claims = await Promise.all(Array.from({ length: 25 }, (_, i) => get(`claim-${i}`)));
    expect(claims.filter(Boolean)).toHaveLength(10);
    expect(proxy.calls.get('TransactWriteItems txn')).toBeGreaterThanOrEqual(25);
  });

  it('holds an item a transaction is writing: a plain write beside a cancelled transaction is never undone by its rollback', async () => {
    for (let round = 0; round < 10; round++) {
      const pk = `held-${round}`;
      await db.send(new PutCommand({ TableName: 'txn', Item: { pk, sk: 's', v: 1 } }));
      const cancelled = db
        .send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: { TableName: 'txn', Key: { pk, sk: 's' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 99 } },
              },
              { Put: { TableName: 'txn', Item: { pk: `${pk}-other`, sk: 's' } } },
              { ConditionCheck: { TableName: 'txn', Key: { pk: 'missing', sk: 's' }, ConditionExpression: 'attribute_exists(pk)' } },
            ],
          }),
        )
        .catch((e) => e);
      const plain = db.send(
        new UpdateCommand({
          TableName: 'txn',
          Key: { pk, sk: 's' },
          UpdateExpression: 'SET w = :w',
          ExpressionAttributeValues: { ':w': round },
        }),
      );
      expect(await cancelled).toBeInstanceOf(TransactionCanceledException);
      await plain;
      expect(await get(pk)).toEqual({ pk, sk: 's', v: 1, w: round });
    }
  });
});

describe('local DynamoDB writes to different items (proxy over a store that holds one item)', () => {
  it('are not queued behind each other: a write to B is served while a write to A is still held', async () => {
    const received: string[] = [];
    let firstA = '';
    let releaseA!: () => void;
    const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
    const store = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', async () => {
        const pk = JSON.parse(Buffer.concat(chunks).toString()).Key.pk.S as string;
        received.push(pk);
        if (pk === 'B') releaseA();
        // A is answered once B reached the store, or after 3 s if B never does (it waits behind A).
        if (pk === 'A' && !firstA)
          firstA = await Promise.race([
            aHeld.then(() => 'answered after B arrived'),
            new Promise<string>((r) => setTimeout(() => r('timed out'), 3000)),
          ]);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } }));
      });
    });
    const proxy = new DynamoDbProxy(`http://127.0.0.1:${await listen(store)}`);
    const front = http.createServer(proxy.listener());
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${await listen(front)}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    );
    const update = (pk: string) =>
      db.send(new UpdateCommand({ TableName: 't', Key: { pk }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } }));
    try {
      const a = update('A');
      await new Promise((r) => setTimeout(r, 50));
      await Promise.all([a, update('B'), update('A')]);
      // B reached the store while the first A was held; the second A waited for the first.
      expect(firstA).toBe('answered after B arrived');
      expect(received).toEqual(['A', 'B', 'A']);
    } finally {
      db.destroy();
      proxy.close();
      for (const server of [front, store]) {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    }
  });
});

describe('local DynamoDB indexes that lag behind their writes (indexLagMs)', () => {
  it('leaves out of an index query the items written within the lag, and shows them once it has passed; the table itself never lags', async () => {
    const dynamo = await startLocalDynamo({ indexLagMs: 400 });
    const put = (sk: string) =>
      dynamo.client.send(new PutCommand({ TableName: 'sessions', Item: { pk: `P#${sk}`, sk, gsi1pk: 'G', gsi1sk: sk } }));
    const indexed = async () =>
      (
        await dynamo.client.send(
          new QueryCommand({
            TableName: 'sessions',
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :g',
            ExpressionAttributeValues: { ':g': 'G' },
          }),
        )
      ).Items?.map((item) => item.sk);
    try {
      await put('old');
      await new Promise((r) => setTimeout(r, 500));
      await dynamo.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: 'sessions', Item: { pk: 'P#new', sk: 'new', gsi1pk: 'G', gsi1sk: 'new' } } }],
        }),
      );
      expect(await indexed()).toEqual(['old']);
      const { Item } = await dynamo.client.send(
        new GetCommand({ TableName: 'sessions', Key: { pk: 'P#new', sk: 'new' }, ConsistentRead: true }),
      );
      expect(Item?.sk).toBe('new');
      await new Promise((r) => setTimeout(r, 500));
      expect(await indexed()).toEqual(['new', 'old']);
    } finally {
      await dynamo.stop();
    }
  });
});
