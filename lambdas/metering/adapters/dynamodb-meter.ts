import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { balanceKey } from '../../shared/credits';
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
  /** Old window attributes seen on an account's item, removed on its next call from this container. */
  private readonly stale = new Map<string, string[]>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async admit({ accountId, priceMicro, limitPerMinute, now }: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date }): Promise<MeterDecision> {
    const minute = Math.floor(now.getTime() / 60_000);
    const resetAt = (minute + 1) * 60;
    const current = `w${minute}`;
    const remove = [...new Set([`w${minute - 1}`, ...(this.stale.get(accountId) ?? [])])].filter((name) => name !== current).slice(0, 20);
    const names: Record<string, string> = { '#win': current, ...Object.fromEntries(remove.map((name, i) => [`#old${i}`, name])) };
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: balanceKey(accountId),
          UpdateExpression: `SET balance = balance - :price, lastCallAt = :now ADD #win :one, seq :one REMOVE ${remove.map((_, i) => `#old${i}`).join(', ')}`,
          ConditionExpression: 'balance >= :price AND (attribute_not_exists(#win) OR #win < :limit)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':price': priceMicro, ':one': 1, ':limit': limitPerMinute, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.learn(accountId, Attributes, current);
      return { admitted: true, balanceMicro: Number(Attributes!.balance), used: Number(Attributes![current]), resetAt, seq: Number(Attributes!.seq) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item with the refusal; an emulator that does not is asked once more.
      const item = error.Item ? unmarshall(error.Item) : await this.read(accountId);
      const balanceMicro = Number(item?.balance ?? 0);
      const used = Number(item?.[current] ?? 0);
      const reason = balanceMicro < priceMicro ? 'insufficient_credit' : 'rate_limited';
      return { admitted: false, reason, balanceMicro, used, resetAt };
    }
  }

  private async read(accountId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: balanceKey(accountId), ConsistentRead: true }));
    return Item;
  }

  private learn(accountId: string, item: Record<string, unknown> | undefined, current: string): void {
    const old = Object.keys(item ?? {}).filter((name) => WINDOW.test(name) && name !== current);
    if (old.length) this.stale.set(accountId, old);
    else this.stale.delete(accountId);
    if (this.stale.size > 10_000) this.stale.delete(this.stale.keys().next().value!);
  }
}
