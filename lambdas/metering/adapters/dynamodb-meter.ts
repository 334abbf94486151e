import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { balanceKey, balanceShardKey, SHARD_SEQ_SPAN } from '../../shared/credits';
import type { MeterDecision } from '../domain/model';
import type { Meter } from '../domain/ports';

const WINDOW = /^w\d+$/;

/**
 * Admission and debit in one conditional UpdateItem on the account's balance item. The rate window
 * is a per-minute counter attribute (`w<minute>`); the write adds one to it and takes the price off
 * the balance only if the balance covers the price and the counter is under the limit. Counters of
 * past minutes are removed by later writes, so the item stays small. The same write numbers the
 * account's admitted calls (`seq`): the usage worker's exactly-once guard, at no extra cost.
 */
export class DynamoDbMeter implements Meter {
  /** Old window attributes seen on a balance item, removed on its next call from this container. */
  private readonly stale = new Map<string, string[]>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    /** Picks a balance shard for a call: random by default, so containers spread over them. */
    private readonly pick: (shards: number) => number = (shards) => Math.floor(Math.random() * shards),
  ) {}

  /**
   * On a plan with one balance shard: one conditional write, as above. With more, the call lands on
   * one shard and is admitted under that shard's share of the limit. A shard out of credit is
   * refilled from the balance item (shard 0, where credits arrive) by one transaction of up to a
   * minute of its share, then tried again; and when even that fails, the other shards are tried in
   * turn — so a call is refused for credit only when every shard, tried, lacked its price.
   */
  async admit(input: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date; shards?: number }): Promise<MeterDecision> {
    const shards = Math.max(1, input.shards ?? 1);
    if (shards === 1) return this.admitOn(input, 0, 1);
    const first = this.pick(shards);
    const decision = await this.admitOn(input, first, shards);
    if (decision.admitted || decision.reason === 'rate_limited') return decision;
    if (first !== 0 && (await this.refill(input, first, shards))) {
      const again = await this.admitOn(input, first, shards);
      if (again.admitted || again.reason === 'rate_limited') return again;
    }
    let seen = decision.balanceMicro;
    let rateLimited = false;
    for (let step = 1; step < shards; step++) {
      const next = await this.admitOn(input, (first + step) % shards, shards);
      if (next.admitted) return next;
      seen += next.balanceMicro;
      rateLimited ||= next.reason === 'rate_limited';
    }
    return { ...decision, reason: rateLimited && seen >= input.priceMicro ? 'rate_limited' : 'insufficient_credit', balanceMicro: seen };
  }

  /** The share of a minute's limit shard `shard` of `shards` admits: the shares add up to the limit exactly. */
  static shareOf(limitPerMinute: number, shards: number, shard: number): number {
    return Math.floor(limitPerMinute / shards) + (shard < limitPerMinute % shards ? 1 : 0);
  }

  private async admitOn({ accountId, priceMicro, limitPerMinute, now }: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date }, shard: number, shards: number): Promise<MeterDecision> {
    const key = balanceShardKey(accountId, shard);
    const item = `${key.pk}|${shard}`;
    const limit = DynamoDbMeter.shareOf(limitPerMinute, shards, shard);
    const minute = Math.floor(now.getTime() / 60_000);
    const resetAt = (minute + 1) * 60;
    const current = `w${minute}`;
    const remove = [...new Set([`w${minute - 1}`, ...(this.stale.get(item) ?? [])])].filter((name) => name !== current).slice(0, 20);
    const names: Record<string, string> = { '#win': current, ...Object.fromEntries(remove.map((name, i) => [`#old${i}`, name])) };
    // A sharded account's figures are one shard's: `used` is scaled to the whole limit, `partial` says the balance is the shard's.
    const scaled = (used: number) => (shards === 1 ? used : Math.min(limitPerMinute, Math.round((used * limitPerMinute) / Math.max(1, limit))));
    const partial = shards > 1 ? { partial: true as const } : {};
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: `SET balance = balance - :price, lastCallAt = :now ADD #win :one, seq :one REMOVE ${remove.map((_, i) => `#old${i}`).join(', ')}`,
          ConditionExpression: 'balance >= :price AND (attribute_not_exists(#win) OR #win < :limit)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':price': priceMicro, ':one': 1, ':limit': limit, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.learn(item, Attributes, current);
      const seq = Number(Attributes!.seq) + shard * SHARD_SEQ_SPAN;
      return { admitted: true, balanceMicro: Number(Attributes!.balance), used: scaled(Number(Attributes![current])), resetAt, seq, ...partial };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item with the refusal; an emulator that does not is asked once more.
      const found = error.Item ? unmarshall(error.Item) : await this.read(key);
      const balanceMicro = Number(found?.balance ?? 0);
      const used = Number(found?.[current] ?? 0);
      const reason = balanceMicro < priceMicro ? 'insufficient_credit' : 'rate_limited';
      return { admitted: false, reason, balanceMicro, used: scaled(used), resetAt, ...partial };
    }
  }

  /** Moves up to a minute of the shard's share in credits from the balance item to the shard; false when there was not a call's worth. */
  private async refill({ accountId, priceMicro, limitPerMinute, now }: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date }, shard: number, shards: number): Promise<boolean> {
    const main = Number((await this.read(balanceKey(accountId)))?.balance ?? 0);
    const amount = Math.min(main, priceMicro * DynamoDbMeter.shareOf(limitPerMinute, shards, shard));
    if (amount < priceMicro) return false;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.table, Key: balanceKey(accountId), UpdateExpression: 'SET balance = balance - :amount', ConditionExpression: 'balance >= :amount', ExpressionAttributeValues: { ':amount': amount } } },
            { Update: { TableName: this.table, Key: balanceShardKey(accountId, shard), UpdateExpression: 'ADD balance :amount SET refilledAt = :now', ExpressionAttributeValues: { ':amount': amount, ':now': now.toISOString() } } },
          ],
        }),
      );
      return true;
    } catch (error) {
      // Another container moved it first, or spent it: the caller tries the other shards.
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  private async read(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return Item;
  }

  private learn(item: string, attributes: Record<string, unknown> | undefined, current: string): void {
    const old = Object.keys(attributes ?? {}).filter((name) => WINDOW.test(name) && name !== current);
    if (old.length) this.stale.set(item, old);
    else this.stale.delete(item);
    if (this.stale.size > 10_000) this.stale.delete(this.stale.keys().next().value!);
  }
}
