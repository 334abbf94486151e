import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { balanceShards, collectBalanceShards, sendRetryingConflicts } from '../../shared/adapters/dynamodb-balance';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { balanceKey, balanceShardKey, SHARD_SEQ_SPAN } from '../../shared/credits';
import type { MeterDecision } from '../domain/model';
import type { Meter } from '../domain/ports';

const WINDOW = /^w\d+$/;

/** How long a container trusts that an account's balance item is short: refills cannot help until credit arrives. */
const DRAINED_MS = 2_000;

/**
 * Admission and debit in one conditional UpdateItem on the account's balance item. The rate window
 * is a per-minute counter attribute (`w<minute>`); the write adds one to it and takes the price off
 * the balance only if the balance covers the price and the counter is under the limit. Counters of
 * past minutes are removed by later writes, so the item stays small. The same write numbers the
 * account's admitted calls (`seq`): the usage worker's exactly-once guard, at no extra cost.
 */
/** What a container remembers of one account's balance items. */
interface Known {
  minute: number;
  full: Set<number>;
  empty: Map<number, number>;
  drainedUntil: number;
}

export class DynamoDbMeter implements Meter {
  /** Old window attributes seen on a balance item, removed on its next call from this container. */
  private readonly stale = new Map<string, string[]>();
  /** Per account, the shards this container saw full this minute and empty a moment ago, and until when its balance item is known short. */
  private readonly known = new Map<string, Known>();
  private readonly strandedCheckedAt = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    /** Picks a balance shard for a call: random by default, so containers spread over them. */
    private readonly pick: (shards: number) => number = (shards) => Math.floor(Math.random() * shards),
  ) {}

  /**
   * On a plan with one balance shard: one conditional write, as above. With more, the call lands on
   * a random shard and is admitted under that shard's share of the limit. A shard out of credit is
   * refilled from the balance item (shard 0, where credits arrive) by one transaction of a few
   * seconds of its share; a shard that refuses is passed over for the next, so a call is refused
   * only when every shard refused it — 429 if one was at its share, else 402. A shard that refused for
   * the limit stays full until the minute ends, so this container skips it until then (no write);
   * one found empty is skipped for a second. Once the balance item is found short, no refill can help:
   * for a moment the container reads what every shard holds instead (one GetItem and one
   * BatchGetItem) and writes only to shards with a call's worth, so an exhausted account is refused in
   * a couple of reads, not a walk of refills over every shard.
   */
  async admit(input: {
    accountId: string;
    priceMicro: number;
    limitPerMinute: number;
    now: Date;
    shards?: number;
  }): Promise<MeterDecision> {
    const shards = Math.max(1, input.shards ?? 1);
    if (shards === 1) {
      const { fundedShards, ...decision } = await this.admitOn(input, 0, 1);
      // Only a balance item that once funded shards can have credit left in them.
      if (
        decision.admitted ||
        decision.reason === 'rate_limited' ||
        !fundedShards ||
        !(await this.collectStranded(input.accountId, input.now))
      )
        return decision;
      const { fundedShards: _again, ...again } = await this.admitOn(input, 0, 1);
      return again;
    }
    const minute = Math.floor(input.now.getTime() / 60_000);
    const skip = this.skipped(input.accountId, minute, input.now.getTime());
    const candidates = Array.from({ length: shards }, (_, shard) => shard).filter(
      (shard) => !skip.full.has(shard) && !skip.empty.has(shard),
    );
    const refusal = (reason: 'rate_limited' | 'insufficient_credit', balanceMicro: number): MeterDecision => ({
      admitted: false,
      reason,
      balanceMicro,
      used: reason === 'rate_limited' ? input.limitPerMinute : 0,
      resetAt: (minute + 1) * 60,
      partial: true,
    });
    const nowMs = input.now.getTime();
    if (skip.drainedUntil > nowMs) return this.admitFromFunded(input, shards, skip, refusal);
    if (candidates.length === 0) return refusal(skip.full.size ? 'rate_limited' : 'insufficient_credit', 0);
    const start = this.pick(candidates.length);
    let creditSeen = 0;
    for (let step = 0; step < candidates.length; step++) {
      // Another call of this container found the balance item short meanwhile: no refill can help.
      if (skip.drainedUntil > nowMs) return this.admitFromFunded(input, shards, skip, refusal);
      const shard = candidates[(start + step) % candidates.length]!;
      let { fundedShards: _funded, ...decision } = await this.admitOn(input, shard, shards);
      if (!decision.admitted && decision.reason === 'insufficient_credit' && shard !== 0) {
        const refill = await this.refill(input, shard, shards);
        if (refill === 'moved') ({ fundedShards: _funded, ...decision } = await this.admitOn(input, shard, shards));
        if (refill === 'drained') skip.drainedUntil = nowMs + DRAINED_MS;
      }
      if (decision.admitted) return decision;
      if (decision.reason === 'rate_limited') skip.full.add(shard);
      else {
        skip.empty.set(shard, nowMs + 1_000);
        if (shard === 0) skip.drainedUntil = nowMs + DRAINED_MS;
      }
      creditSeen += decision.balanceMicro;
    }
    // A shard at its share this minute means the account met its limit: 429, whatever the others hold.
    if (skip.full.size > 0) return refusal('rate_limited', creditSeen);
    // Shards past the plan's count (it had more once) are spent by nobody: back to the balance item, and once more.
    if (await this.collectStranded(input.accountId, input.now)) {
      skip.empty.clear();
      const { fundedShards: _again, ...again } = await this.admitOn(input, 0, shards);
      if (again.admitted || again.reason === 'rate_limited') return again;
    }
    return refusal('insufficient_credit', creditSeen);
  }

  /**
   * A call of an account whose balance item is short: what each shard holds is read, and only shards
   * with a call's worth are written to (no refills: there is nothing to refill from). 429 when one of
   * them is at its share, 402 when none holds enough.
   */
  private async admitFromFunded(
    input: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date },
    shards: number,
    skip: Known,
    refusal: (reason: 'rate_limited' | 'insufficient_credit', balanceMicro: number) => MeterDecision,
  ): Promise<MeterDecision> {
    const held = await balanceShards(this.client, this.table, input.accountId);
    const funded = held.filter((s) => s.shard < shards && (s.balance ?? 0) >= input.priceMicro && !skip.full.has(s.shard));
    const start = this.pick(Math.max(1, funded.length));
    for (let step = 0; step < funded.length; step++) {
      const { shard } = funded[(start + step) % funded.length]!;
      const { fundedShards: _funded, ...decision } = await this.admitOn(input, shard, shards);
      if (decision.admitted) {
        // Credit arrived at the balance item: refills can work again.
        if (shard === 0) skip.drainedUntil = 0;
        return decision;
      }
      if (decision.reason === 'rate_limited') skip.full.add(shard);
    }
    if (skip.full.size > 0) return refusal('rate_limited', 0);
    // Shards past the plan's count (it had more once) are spent by nobody: back to the balance item, and once more.
    if (held.some((s) => s.shard >= shards && (s.balance ?? 0) > 0) && (await this.collectStranded(input.accountId, input.now))) {
      skip.drainedUntil = 0;
      const { fundedShards: _again, ...again } = await this.admitOn(input, 0, shards);
      if (again.admitted || again.reason === 'rate_limited') return again;
    }
    return refusal(
      'insufficient_credit',
      held.reduce((sum, s) => sum + (s.shard < shards ? (s.balance ?? 0) : 0), 0),
    );
  }

  /** What this container knows of an account's shards: full until the minute ends, empty for a second, the balance item short until `drainedUntil`. */
  private skipped(accountId: string, minute: number, nowMs: number): Known {
    let known = this.known.get(accountId);
    if (!known || known.minute !== minute) {
      known = { minute, full: new Set(), empty: known?.empty ?? new Map(), drainedUntil: known?.drainedUntil ?? 0 };
      this.known.set(accountId, known);
      if (this.known.size > 10_000) this.known.delete(this.known.keys().next().value!);
    }
    for (const [shard, until] of known.empty) if (until <= nowMs) known.empty.delete(shard);
    return known;
  }

  /**
   * An account refused for credit may still hold some in balance shards its plan no longer spends
   * from (its plan lost its shards): moved back to the balance item, looked at once a minute per account.
   */
  private async collectStranded(accountId: string, now: Date): Promise<boolean> {
    const last = this.strandedCheckedAt.get(accountId) ?? 0;
    if (now.getTime() - last < 60_000) return false;
    this.strandedCheckedAt.set(accountId, now.getTime());
    if (this.strandedCheckedAt.size > 10_000) this.strandedCheckedAt.delete(this.strandedCheckedAt.keys().next().value!);
    return (await collectBalanceShards(this.client, this.table, accountId)).moved > 0;
  }

  /** The share of a minute's limit shard `shard` of `shards` admits: the shares add up to the limit exactly. */
  static shareOf(limitPerMinute: number, shards: number, shard: number): number {
    return Math.floor(limitPerMinute / shards) + (shard < limitPerMinute % shards ? 1 : 0);
  }

  /** One conditional write on one balance item; `fundedShards` says a refused balance item once funded shards (their credit may be stranded). */
  private async admitOn(
    { accountId, priceMicro, limitPerMinute, now }: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date },
    shard: number,
    shards: number,
  ): Promise<MeterDecision & { fundedShards?: boolean }> {
    const key = balanceShardKey(accountId, shard);
    const item = `${key.pk}|${shard}`;
    const limit = DynamoDbMeter.shareOf(limitPerMinute, shards, shard);
    const minute = Math.floor(now.getTime() / 60_000);
    const resetAt = (minute + 1) * 60;
    const current = `w${minute}`;
    const remove = [...new Set([`w${minute - 1}`, ...(this.stale.get(item) ?? [])])].filter((name) => name !== current).slice(0, 20);
    const names: Record<string, string> = { '#win': current, ...Object.fromEntries(remove.map((name, i) => [`#old${i}`, name])) };
    // A sharded account's figures are one shard's: `used` is scaled to the whole limit, `partial` says the balance is the shard's.
    const scaled = (used: number) =>
      shards === 1 ? used : Math.min(limitPerMinute, Math.round((used * limitPerMinute) / Math.max(1, limit)));
    const partial = shards > 1 ? { partial: true as const } : {};
    try {
      const { Attributes } = await sendRetryingConflicts(
        this.client,
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: `SET balance = balance - :price, lastCallAt = :now ADD #win :one, seq :one REMOVE ${remove.map((_, i) => `#old${i}`).join(', ')}`,
          ConditionExpression: 'balance >= :price AND (attribute_not_exists(#win) OR #win < :limit)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':price': priceMicro, ':one': 1, ':limit': limit, ':now': now.toISOString() },
          // The item as it was: what the write made of it follows from the expression, and its lastCallAt says
          // how long the account had been silent (the gateway records a call after a long silence itself).
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.learn(item, Attributes, current, remove);
      const seq = Number(Attributes?.seq ?? 0) + 1 + shard * SHARD_SEQ_SPAN;
      return {
        admitted: true,
        balanceMicro: Number(Attributes!.balance) - priceMicro,
        used: scaled(Number(Attributes?.[current] ?? 0) + 1),
        resetAt,
        seq,
        ...partial,
        ...(typeof Attributes?.lastCallAt === 'string' ? { previousCallAt: Attributes.lastCallAt } : {}),
        // The balance item carries the low-balance notice's state: a lone call then need not read it.
        ...(typeof Attributes?.noticeArmed === 'boolean' ? { noticeArmed: Attributes.noticeArmed } : {}),
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the item with the refusal; an emulator that does not is asked once more.
      const found = error.Item ? unmarshall(error.Item) : await this.read(key);
      const balanceMicro = Number(found?.balance ?? 0);
      const used = Number(found?.[current] ?? 0);
      // A shard at its share is full whatever it holds: so it is never refilled to no use this minute.
      const reason = (shards > 1 ? used >= limit : balanceMicro >= priceMicro) ? 'rate_limited' : 'insufficient_credit';
      return {
        admitted: false,
        reason,
        balanceMicro,
        used: scaled(used),
        resetAt,
        ...partial,
        ...(typeof found?.noticeArmed === 'boolean' ? { noticeArmed: found.noticeArmed } : {}),
        fundedShards: found?.shards !== undefined,
      };
    }
  }

  /** Moves up to five seconds of the shard's share in credits from the balance item to the shard; false when there was not a call's worth. */
  /**
   * Moves up to five seconds of the shard's share in credits from the balance item to the shard:
   * `drained` when the balance item has not a call's worth, `busy` when other writers kept it (the
   * caller tries the other shards, and nothing is concluded about the balance).
   */
  private async refill(
    { accountId, priceMicro, limitPerMinute, now }: { accountId: string; priceMicro: number; limitPerMinute: number; now: Date },
    shard: number,
    shards: number,
  ): Promise<'moved' | 'drained' | 'busy'> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const main = Number((await this.read(balanceKey(accountId)))?.balance ?? 0);
      // Five seconds of the shard's share: refills stay rare, and little credit sits in a shard at any time.
      const amount = Math.min(main, priceMicro * Math.max(1, Math.ceil(DynamoDbMeter.shareOf(limitPerMinute, shards, shard) / 12)));
      if (amount < priceMicro) return 'drained';
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              // The balance item keeps the names of the shards it funded: readers of the balance read just those.
              {
                Update: {
                  TableName: this.table,
                  Key: balanceKey(accountId),
                  UpdateExpression: 'SET balance = balance - :amount ADD shards :shard',
                  ConditionExpression: 'balance >= :amount',
                  ExpressionAttributeValues: { ':amount': amount, ':shard': new Set([shard]) },
                },
              },
              {
                Update: {
                  TableName: this.table,
                  Key: balanceShardKey(accountId, shard),
                  UpdateExpression: 'ADD balance :amount SET refilledAt = :now',
                  ExpressionAttributeValues: { ':amount': amount, ':now': now.toISOString() },
                },
              },
            ],
          }),
        );
        return 'moved';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // Spent or moved by another container since the read: read again. Held by another transaction: wait a moment.
        if (error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict'))
          await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
    return 'busy';
  }

  private async read(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** Remembers the window attributes the item still holds after a write that found `attributes` and removed `removed`. */
  private learn(item: string, attributes: Record<string, unknown> | undefined, current: string, removed: string[]): void {
    const old = Object.keys(attributes ?? {}).filter((name) => WINDOW.test(name) && name !== current && !removed.includes(name));
    if (old.length) this.stale.set(item, old);
    else this.stale.delete(item);
    if (this.stale.size > 10_000) this.stale.delete(this.stale.keys().next().value!);
  }
}
