import * as http from 'node:http';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { AccessDeniedError, accessKeyOf, type IamRequest, type LocalIam } from './iam';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './intrinsics';

type Item = Record<string, AttributeValue>;
/** What every part of a transaction may carry: a condition and, with `ALL_OLD`, a wish to see the item when it is refused. */
type Conditional = {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValuesOnConditionCheckFailure?: string;
};
type TransactItem = {
  ConditionCheck?: { TableName: string; Key: Item; ConditionExpression: string } & Conditional;
  Put?: { TableName: string; Item: Item } & Conditional;
  Update?: { TableName: string; Key: Item; UpdateExpression: string } & Conditional;
  Delete?: { TableName: string; Key: Item } & Conditional;
};

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** Single-item writes whose consumed capacity dynalite reports when asked. */
const METERED = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const NOOP_ATTRIBUTE = '__omnapi_transaction_check';

/**
 * The local DynamoDB endpoint: dynalite behind a proxy that adds what dynalite lacks —
 * TransactWriteItems and TransactGetItems. Writes to one item take turns through the proxy, and a
 * transaction holds all of its items until it is done, so it is all-or-nothing for every other
 * writer: each part is applied as a conditional write and, when one is refused, the parts already
 * applied are restored from their old images. Writes to different items run side by side. Readers may glimpse a
 * transaction half-way (real DynamoDB isolates them); everything else passes through untouched.
 */
export class DynamoDbProxy {
  /** The last write holding each item (`table|key`): the next write to it waits for it. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Requests served, as `Operation table` → count; the benchmark reads it. */
  readonly calls = new Map<string, number>();
  /**
   * Write units consumed, as `Operation table` → units, by DynamoDB's rules as dynalite applies them
   * (the larger of the item before and after, per started KB; twice inside a transaction; a refused
   * conditional write one unit): the benchmark's cost of writes is measured here, not derived.
   */
  readonly writeUnits = new Map<string, number>();
  private readonly client: DynamoDBClient;
  private readonly keyNames = new Map<string, string[]>();
  /** When each item (`table|key`) was last written, oldest first, while index queries lag behind. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly backend: string,
    /** Authorizes each call as the role its access key names; absent, every call passes. */
    private readonly iam?: LocalIam,
    private readonly options: {
      /**
       * How far a global secondary index lags behind its table, as DynamoDB's indexes do (eventually
       * consistent): an index query or scan leaves out every item written in the last `indexLagMs`
       * (a new item is not there yet; a changed one is missing rather than stale). @default 0 (dynalite's: none)
       */
      indexLagMs?: number;
    } = {},
  ) {
    this.client = new DynamoDBClient({
      endpoint: backend,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  }

  listener(): http.RequestListener {
    return (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', async () => {
        const body = Buffer.concat(chunks);
        const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        try {
          const input = parseInput(body);
          this.count(operation, input);
          if (this.iam) {
            const key = accessKeyOf(request.headers);
            if (this.iam.roleOf(key)) await this.iam.authorize(key, dynamoRequests(this.iam, operation, input));
          }
          if (operation === 'TransactWriteItems') {
            const parts = (input.TransactItems ?? []) as TransactItem[];
            const result = await this.locked(await this.itemsOfTransaction(parts), () => this.transactWrite(parts));
            return reply(response, result.status, result.body);
          }
          if (operation === 'TransactGetItems') return reply(response, 200, await this.transactGet(input.TransactItems as never));
          const metered = METERED.has(operation) && !(input as Record<string, unknown>).ReturnConsumedCapacity;
          const sent = metered ? Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' })) : body;
          const forward = () => this.forward(request, sent);
          let answer = WRITES.has(operation) ? await this.locked(await this.itemsOfWrite(operation, input), forward) : await forward();
          if ((operation === 'Query' || operation === 'Scan') && input.IndexName && this.options.indexLagMs)
            answer = await this.lagging(String(input.TableName), answer);
          if (METERED.has(operation)) this.meter(operation, String(input.TableName), answer);
          response.writeHead(answer.status, answer.headers);
          response.end(answer.body);
        } catch (error) {
          if (error instanceof AccessDeniedError)
            return reply(response, 400, { __type: 'com.amazon.coral.service#AccessDeniedException', Message: error.message });
          reply(response, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: (error as Error).message });
        }
      });
    };
  }

  close(): void {
    this.client.destroy();
  }

  private count(operation: string, input: RequestInput): void {
    const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
    const table = input.TableName ?? [...new Set(items.map((item) => Object.values(item)[0]?.TableName))].join('+');
    const bump = (key: string, by: number) => this.calls.set(key, (this.calls.get(key) ?? 0) + by);
    bump(`${operation} ${table}`.trim(), 1);
    if (operation !== 'TransactWriteItems') return;
    bump('TransactWriteItems items', items.length);
    for (const item of items) bump(`TransactWriteItems items ${Object.keys(item)[0]} ${Object.values(item)[0]?.TableName}`, 1);
  }

  private addUnits(key: string, units: number): void {
    this.writeUnits.set(key, (this.writeUnits.get(key) ?? 0) + units);
  }

  private meter(operation: string, table: string, answer: { status: number; body: Buffer }): void {
    try {
      const parsed = JSON.parse(answer.body.toString('utf8') || '{}') as { ConsumedCapacity?: { CapacityUnits?: number }; __type?: string };
      if (answer.status === 200) this.addUnits(`${operation} ${table}`, Number(parsed.ConsumedCapacity?.CapacityUnits ?? 1));
      else if (String(parsed.__type).includes('ConditionalCheckFailed')) this.addUnits(`${operation} ${table}`, 1);
    } catch {
      // Not JSON: nothing written.
    }
  }

  /**
   * Runs a write once every earlier write to any of its items is done, holding them until it is:
   * writes to one item take turns in arrival order (so a transaction's parts, applied one by one,
   * are never interleaved with another writer's), and writes to different items run side by side.
   * A write waits only for writes that arrived before it, so no two ever wait for each other.
   */
  private async locked<T>(items: string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(items)];
    const earlier = keys.map((key) => this.writing.get(key));
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    for (const key of keys) this.writing.set(key, done);
    try {
      await Promise.all(earlier);
      return await work();
    } finally {
      release();
      for (const key of keys) if (this.writing.get(key) === done) this.writing.delete(key);
      if (this.options.indexLagMs) this.noteWritten(keys);
    }
  }

  private noteWritten(keys: string[]): void {
    const now = Date.now();
    for (const key of keys) {
      // Re-inserted, so the map stays in the order of the last writes and the oldest are pruned from its front.
      this.written.delete(key);
      this.written.set(key, now);
    }
    for (const [key, at] of this.written) {
      if (at > now - this.options.indexLagMs!) break;
      this.written.delete(key);
    }
  }

  /** An index's answer as DynamoDB may give it `indexLagMs` after a write: without the items written since. */
  private async lagging(
    table: string,
    answer: { status: number; headers: http.OutgoingHttpHeaders; body: Buffer },
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    if (answer.status !== 200) return answer;
    const parsed = JSON.parse(answer.body.toString('utf8')) as { Items?: Item[]; Count?: number };
    if (!parsed.Items) return answer;
    const since = Date.now() - this.options.indexLagMs!;
    const shown: Item[] = [];
    for (const item of parsed.Items) if ((this.written.get(await this.itemName(table, undefined, item)) ?? 0) <= since) shown.push(item);
    const body = Buffer.from(JSON.stringify({ ...parsed, Items: shown, Count: shown.length }));
    // The body changed: its checksum no longer applies.
    const { 'x-amz-crc32': _crc, ...headers } = answer.headers;
    return { status: 200, headers: { ...headers, 'content-length': String(body.length) }, body };
  }

  /** The items a single-item write or a BatchWriteItem touches, as `table|key` (one without a usable key, which dynalite refuses, as the table's `*`). */
  private async itemsOfWrite(operation: string, input: RequestInput): Promise<string[]> {
    if (operation === 'BatchWriteItem') {
      const requests = Object.entries(
        (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }[]>,
      );
      return Promise.all(
        requests.flatMap(([table, writes]) =>
          (Array.isArray(writes) ? writes : []).map((write) => this.itemName(table, write.DeleteRequest?.Key, write.PutRequest?.Item)),
        ),
      );
    }
    const { TableName, Key, Item } = input as { TableName?: string; Key?: Item; Item?: Item };
    return [await this.itemName(TableName, Key, Item)];
  }

  private itemsOfTransaction(parts: TransactItem[]): Promise<string[]> {
    return Promise.all(
      (Array.isArray(parts) ? parts : []).map((entry) => {
        const part: { TableName?: string; Key?: Item; Item?: Item } | undefined =
          entry?.Put ?? entry?.Update ?? entry?.Delete ?? entry?.ConditionCheck;
        return this.itemName(part?.TableName, part?.Key, part?.Item);
      }),
    );
  }

  /** `table|key` of an item from its key, or from the whole item and the table's key schema. */
  private async itemName(table: string | undefined, key: Item | undefined, item: Item | undefined): Promise<string> {
    try {
      const found = key ?? (table && item ? await this.keyOf(table, item) : undefined);
      if (table && found) return `${table}|${JSON.stringify(Object.entries(found).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    } catch {
      // No such table: dynalite will say so.
    }
    return `${table ?? ''}|*`;
  }

  private forward(
    request: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...request.headers, 'content-length': String(body.length) };
      const upstream = http.request(`${this.backend}${request.url ?? '/'}`, { method: request.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(parts) }));
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  private async transactWrite(items: TransactItem[]): Promise<{ status: number; body: unknown }> {
    if (!Array.isArray(items) || items.length === 0 || items.length > 100) {
      return {
        status: 400,
        body: { __type: 'com.amazon.coral.validate#ValidationException', message: 'TransactItems must hold 1 to 100 items' },
      };
    }
    const applied: { table: string; key: Item; old?: Item }[] = [];
    const reasons: { Code: string; Message?: string; Item?: Item }[] = items.map(() => ({ Code: 'None' }));
    for (const [index, entry] of items.entries()) {
      try {
        const done = await this.applyOne(entry);
        this.addUnits(`TransactWriteItems ${Object.keys(entry)[0]} ${done.table}`, 2 * done.units);
        applied.push(done);
      } catch (error) {
        const name = (error as Error).name;
        if (isTransient(error)) {
          // The store did not answer (a reset socket under load): DynamoDB's answer is a retryable 500, not a cancellation.
          await this.rollBack(applied);
          return {
            status: 500,
            body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `local store: ${(error as Error).message}` },
          };
        }
        reasons[index] =
          name === 'ConditionalCheckFailedException'
            ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
            : { Code: 'ValidationError', Message: (error as Error).message };
        if (name !== 'ConditionalCheckFailedException')
          console.error(`[omnapi] local TransactWriteItems refused item ${index}: ${(error as Error).message}`);
        await this.rollBack(applied);
        if (name === 'ConditionalCheckFailedException') {
          const old = await this.oldImageOnFailure(entry);
          if (old) reasons[index]!.Item = old;
        }
        return {
          status: 400,
          body: {
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
          },
        };
      }
    }
    return { status: 200, body: {} };
  }

  /** What DynamoDB returns beside a refused part asking for `ReturnValuesOnConditionCheckFailure: ALL_OLD`: the item as it stands. */
  private async oldImageOnFailure(entry: TransactItem): Promise<Item | undefined> {
    const part: ({ TableName: string; Key?: Item; Item?: Item } & Conditional) | undefined =
      entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
    if (part?.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD') return undefined;
    const key = part.Key ?? (await this.keyOf(part.TableName, part.Item!));
    const { Item } = await this.client.send(new GetItemCommand({ TableName: part.TableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  private async applyOne(entry: TransactItem): Promise<{ table: string; key: Item; old?: Item; units: number }> {
    const units = (result: { ConsumedCapacity?: { CapacityUnits?: number } }) => Number(result.ConsumedCapacity?.CapacityUnits ?? 1);
    if (entry.Put) {
      const { TableName, Item, ReturnValuesOnConditionCheckFailure: _r, ...condition } = entry.Put;
      const result = await this.client.send(
        new PutItemCommand({ TableName, Item, ...condition, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }),
      );
      return { table: TableName, key: await this.keyOf(TableName, Item), old: result.Attributes, units: units(result) };
    }
    if (entry.Update) {
      const { TableName, Key, ReturnValuesOnConditionCheckFailure: _r, ...rest } = entry.Update;
      const result = await this.client.send(
        new UpdateItemCommand({ TableName, Key, ...rest, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }),
      );
      return { table: TableName, key: Key, old: result.Attributes, units: units(result) };
    }
    if (entry.Delete) {
      const { TableName, Key, ReturnValuesOnConditionCheckFailure: _r, ...condition } = entry.Delete;
      const result = await this.client.send(
        new DeleteItemCommand({ TableName, Key, ...condition, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }),
      );
      return { table: TableName, key: Key, old: result.Attributes, units: units(result) };
    }
    if (entry.ConditionCheck) {
      // dynalite has no ConditionCheck: a conditional no-op update evaluates it, and is undone like the rest.
      const { TableName, Key, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = entry.ConditionCheck;
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName,
          Key,
          ConditionExpression,
          UpdateExpression: 'REMOVE #omnapiNoop',
          ExpressionAttributeNames: { ...ExpressionAttributeNames, '#omnapiNoop': NOOP_ATTRIBUTE },
          ExpressionAttributeValues,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { table: TableName, key: Key, old: result.Attributes, units: 1 };
    }
    throw Object.assign(new Error('Unknown transaction item'), { name: 'ValidationException' });
  }

  private async rollBack(applied: { table: string; key: Item; old?: Item }[]): Promise<void> {
    for (const { table, key, old } of applied.reverse()) {
      if (old && Object.keys(old).length) await this.client.send(new PutItemCommand({ TableName: table, Item: old }));
      else await this.client.send(new DeleteItemCommand({ TableName: table, Key: key }));
    }
  }

  private async transactGet(
    items: { Get: { TableName: string; Key: Item; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } }[],
  ) {
    const responses = [];
    for (const { Get } of items) {
      const { Item } = await this.client.send(new GetItemCommand({ ...Get, ConsistentRead: true }));
      responses.push(Item ? { Item } : {});
    }
    return { Responses: responses };
  }

  private async keyOf(table: string, item: Item): Promise<Item> {
    let names = this.keyNames.get(table);
    if (!names) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: table }));
      names = (Table?.KeySchema ?? []).map((k) => k.AttributeName!);
      this.keyNames.set(table, names);
    }
    return Object.fromEntries(names.map((name) => [name, item[name]!]));
  }
}

type RequestInput = { TableName?: string; IndexName?: string; TransactItems?: unknown[]; RequestItems?: Record<string, unknown> };

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};
/** Operations on the table's data: they decrypt with the table's KMS key, with the caller's permissions. */
const CONTROL_PLANE = new Set([
  'DescribeTable',
  'ListTables',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'ListTagsOfResource',
  'TagResource',
]);

/** The IAM requests of one DynamoDB call: the action on each table (or index) it touches, and KMS Decrypt of encrypted tables. */
export function dynamoRequests(iam: LocalIam, operation: string, input: RequestInput): IamRequest[] {
  const tableArn = (name: string) => `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
  const requests: IamRequest[] = [];
  const tables = new Set<string>();
  const add = (action: string, table: string, index?: string) => {
    requests.push({ action: `dynamodb:${action}`, resource: index ? `${tableArn(table)}/index/${index}` : tableArn(table) });
    tables.add(table);
  };
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    for (const item of (input.TransactItems ?? []) as Record<string, { TableName?: string }>[]) {
      const [kind, part] = Object.entries(item)[0] ?? [];
      if (kind && part?.TableName) add(TRANSACT_ACTIONS[kind] ?? kind, part.TableName);
    }
  } else if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    for (const table of Object.keys(input.RequestItems ?? {})) add(operation, table);
  } else if (operation === 'ListTables') {
    requests.push({ action: 'dynamodb:ListTables', resource: '*' });
  } else if (input.TableName) {
    add(operation, input.TableName, operation === 'Query' || operation === 'Scan' ? input.IndexName : undefined);
  }
  if (!CONTROL_PLANE.has(operation)) for (const table of tables) requests.push(...iam.kmsRequests(tableArn(table), ['kms:Decrypt']));
  return requests;
}

/** The request's JSON input; a body that is not JSON is forwarded for DynamoDB to refuse. */
function parseInput(body: Buffer): RequestInput {
  try {
    return (JSON.parse(body.toString()) ?? {}) as RequestInput;
  } catch {
    return {};
  }
}

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `local-${Date.now()}` });
  response.end(JSON.stringify(body));
}

/** A failure of the connection to the store, not of the item: worth a retry of the whole transaction. */
function isTransient(error: unknown): boolean {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  return (
    ['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT'].includes(code ?? '') ||
    name === 'TimeoutError' ||
    /socket hang up|ECONNRESET/.test(message ?? '')
  );
}
