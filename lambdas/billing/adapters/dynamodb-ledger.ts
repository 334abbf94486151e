import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { collectBalanceShards, totalBalance } from '../../shared/adapters/dynamodb-balance';
import { balanceKey } from '../../shared/credits';
import { ITEMS } from '../../shared/items';
import { queryAll } from '../../shared/dynamodb-query';
import { LedgerBusyError } from '../errors';
import type {
  ClaimedNotice,
  Ledger,
  LedgerEntry,
  LedgerPage,
  NewLedgerEntry,
  PostOptions,
  PostOutcome,
  Purchase,
  PurchaseNoticeId,
  PurchaseWrite,
  ReversalNotice,
} from '../domain/ledger';
import { NOTICE_CLAIM_LEASE_MS } from '../domain/ledger';

type Stored = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

function entryOf({ pk: _pk, sk: _sk, ...entry }: Stored): LedgerEntry {
  return entry as unknown as LedgerEntry;
}

function purchaseOf(item: Stored | undefined): Purchase | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...purchase } = item;
  return purchase as unknown as Purchase;
}

const accountKey = (accountId: string) => ITEMS.ledgerEntry.pk({ accountId });
const purchaseKey = (accountId: string, paymentIntentId: string) => ITEMS.purchase.key({ accountId, paymentIntentId });
const paymentKey = (paymentIntentId: string) => ITEMS.payment.key({ paymentIntentId });

/**
 * Where a purchase keeps a notice due and the claim of whoever is sending it: the receipt's flag and
 * `receiptClaimedAt`, or a reversal's entry in the notices map and its `claimedAt`.
 */
function noticePath(id: PurchaseNoticeId): {
  path: string;
  claim: string;
  /** The names `path` uses, and those both use (DynamoDB refuses a name its expressions do not use). */
  pathNames: Record<string, string>;
  names: Record<string, string>;
} {
  const pathNames: Record<string, string> = id === 'receipt' ? { '#due': 'receiptDue' } : { '#notices': 'noticesDue', '#entry': id.entry };
  return id === 'receipt'
    ? { path: '#due', claim: '#claim', pathNames, names: { ...pathNames, '#claim': 'receiptClaimedAt' } }
    : { path: '#notices.#entry', claim: '#notices.#entry.#claim', pathNames, names: { ...pathNames, '#claim': 'claimedAt' } };
}

/** Tries of a movement whose items another transaction holds (TransactionConflict, which the SDK does not retry). */
const CONFLICT_TRIES = 5;

/**
 * The append-only credit ledger in the ledger table. Per account (`ACCOUNT#<id>`):
 * - `ENTRY#<at>#<entryId>`: one entry (sorted by time, so pages read newest first);
 * - `REF#<idempotency key>`: the guard that makes posting the same movement twice a no-op;
 * - `BALANCE`: the running balance (also debited by the metered gateway);
 * - `PURCHASE#<payment intent>`: a paid checkout and what has been reversed of it.
 * Per payment (`PAYMENT#<payment intent>`): `PAYMENT`, which account paid it (refunds and disputes that
 * arrive before it are parked elsewhere: `DynamoDbParkedReversals`).
 * An entry, its guard, the balance and the purchase change are written in one transaction.
 */
export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async post(
    accountId: string,
    entry: NewLedgerEntry,
    idempotencyKey: string,
    purchase?: PurchaseWrite,
    options: PostOptions = {},
  ): Promise<{ outcome: PostOutcome; entry: LedgerEntry }> {
    const at = (entry.at ?? new Date()).toISOString();
    // The entry id derives from the movement, so every attempt at it writes the same item.
    const entryId = `led_${createHash('sha256').update(`${accountId}|${idempotencyKey}`).digest('hex').slice(0, 24)}`;
    const { at: _at, ...fields } = entry;
    const stored: LedgerEntry = { ...fields, entryId, at };
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: { ...ITEMS.ledgerRef.key({ accountId, idempotencyKey }), entryId, at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.table, Item: { ...ITEMS.ledgerEntry.key({ accountId, at, entryId }), ...stored } } },
      {
        Update: {
          TableName: this.table,
          Key: balanceKey(accountId),
          UpdateExpression: 'ADD balance :amount SET updatedAt = :at',
          ...(options.keepNonNegative && stored.amountMicro < 0 ? { ConditionExpression: 'balance >= :need' } : {}),
          ExpressionAttributeValues: {
            ':amount': stored.amountMicro,
            ':at': at,
            ...(options.keepNonNegative && stored.amountMicro < 0 ? { ':need': -stored.amountMicro } : {}),
          },
        },
      },
      ...(purchase ? this.purchaseItems(accountId, purchase) : []),
    ];
    // A debit (refund, clawback, dispute hold) must reach credit a sharded plan has moved into its
    // balance shards, or the gateway would go on spending it: the shards go back to the balance item —
    // on a redelivery too, in case the first attempt failed after the entry was written.
    const collect = async () => {
      if (stored.amountMicro >= 0) return;
      // The entry is written whatever happens here: a shard still being spent from holds at most a few
      // seconds of calls, and with the balance item short no gateway refills it.
      await collectBalanceShards(this.client, this.table, accountId).catch(() => undefined);
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        await collect();
        return { outcome: 'applied', entry: stored };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') {
          await collect();
          return { outcome: 'duplicate', entry: stored };
        }
        if (reasons[2]?.Code === 'ConditionalCheckFailed') return { outcome: 'insufficient', entry: stored };
        if (reasons[3]?.Code === 'ConditionalCheckFailed')
          return { outcome: purchase?.kind === 'create' ? 'duplicate' : 'stale', entry: stored };
        if (reasons[4]?.Code === 'ConditionalCheckFailed') return { outcome: 'payment_taken', entry: stored };
        // Another transaction holds the balance or the purchase (a second event of the account, a grant):
        // nothing was written, so the same movement is tried again; a lasting conflict is the caller's to retry.
        if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
        if (attempt >= CONFLICT_TRIES) throw new LedgerBusyError(accountId, { cause: error });
        await this.pause(20 * 2 ** attempt * (0.5 + Math.random()));
      }
    }
  }

  async updatePurchase(accountId: string, write: Extract<PurchaseWrite, { kind: 'update' }>): Promise<'applied' | 'stale'> {
    try {
      await this.client.send(
        new UpdateCommand(this.purchaseItems(accountId, write)[0]!.Update as ConstructorParameters<typeof UpdateCommand>[0]),
      );
      return 'applied';
    } catch (error) {
      // Changed since it was read, or held by a transaction changing it right now: read again either way.
      if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException) return 'stale';
      throw error;
    }
  }

  private purchaseItems(accountId: string, write: PurchaseWrite): TransactItem[] {
    if (write.kind === 'create') {
      const { purchase } = write;
      return [
        {
          Put: {
            TableName: this.table,
            Item: { ...purchaseKey(accountId, purchase.paymentIntentId), ...purchase },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          // One payment buys one account's credits: a second session naming a payment another account holds
          // (forged: Stripe makes a PaymentIntent per session) is refused, and the payment's refunds stay with its payer.
          Put: {
            TableName: this.table,
            Item: { ...paymentKey(purchase.paymentIntentId), accountId },
            ConditionExpression: 'attribute_not_exists(pk) OR accountId = :account',
            ExpressionAttributeValues: { ':account': accountId },
          },
        },
      ];
    }
    const fields = Object.entries(write.changes).filter(([, v]) => v !== undefined);
    const { notice } = write;
    // The purchase read had no notices map: the version condition keeps it so, and the map is written whole.
    const noticeSet = notice ? (notice.first ? ['noticesDue = :notices'] : ['noticesDue.#notice = :notice']) : [];
    return [
      {
        Update: {
          TableName: this.table,
          Key: purchaseKey(accountId, write.paymentIntentId),
          UpdateExpression: `SET ${[...fields.map((_, i) => `#f${i} = :v${i}`), ...noticeSet, 'version = version + :one'].join(', ')}`,
          ConditionExpression: 'version = :expected',
          ExpressionAttributeNames: {
            ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
            ...(notice && !notice.first ? { '#notice': notice.entry } : {}),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
            ...(notice ? (notice.first ? { ':notices': { [notice.entry]: notice.notice } } : { ':notice': notice.notice }) : {}),
            ':expected': write.expectVersion,
            ':one': 1,
          },
        },
      },
    ];
  }

  async purchaseOf(paymentIntentId: string): Promise<Purchase | undefined> {
    const { Item: payment } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: paymentKey(paymentIntentId), ConsistentRead: true }),
    );
    if (!payment) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: purchaseKey(String(payment.accountId), paymentIntentId), ConsistentRead: true }),
    );
    return purchaseOf(Item);
  }

  async claimNotice(
    accountId: string,
    paymentIntentId: string,
    id: PurchaseNoticeId,
    now: Date,
  ): Promise<ClaimedNotice | 'busy' | undefined> {
    const { path, claim, pathNames, names } = noticePath(id);
    const key = purchaseKey(accountId, paymentIntentId);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: `SET ${claim} = :now`,
          // Due, and claimed by nobody — or by a delivery that died sending it (its claim outlived the function).
          ConditionExpression: `attribute_exists(${path}) AND (attribute_not_exists(${claim}) OR ${claim} < :stale)`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':stale': new Date(now.getTime() - NOTICE_CLAIM_LEASE_MS).toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (id === 'receipt') return { kind: 'receipt' };
      const { claimedAt: _claimed, ...notice } = (Attributes?.noticesDue as Purchase['noticesDue'])?.[id.entry] ?? {};
      return { kind: 'reversal', notice: notice as ReversalNotice };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Not claimed: sent already (or never owed), or another delivery is sending it right now.
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: path,
        ExpressionAttributeNames: pathNames,
      }),
    );
    const due = id === 'receipt' ? Item?.receiptDue : (Item?.noticesDue as Record<string, unknown> | undefined)?.[id.entry];
    return due ? 'busy' : undefined;
  }

  async noticeSent(accountId: string, paymentIntentId: string, id: PurchaseNoticeId): Promise<void> {
    const { path, claim, pathNames, names } = noticePath(id);
    await this.ifPurchaseExists({
      TableName: this.table,
      Key: purchaseKey(accountId, paymentIntentId),
      // A reversal's claim goes with its notice; the receipt's is an attribute of its own.
      UpdateExpression: id === 'receipt' ? `REMOVE ${path}, ${claim}` : `REMOVE ${path}`,
      ConditionExpression: `attribute_exists(${path})`,
      ExpressionAttributeNames: id === 'receipt' ? names : pathNames,
    });
  }

  async releaseNotice(accountId: string, paymentIntentId: string, id: PurchaseNoticeId): Promise<void> {
    const { path, claim, names } = noticePath(id);
    await this.ifPurchaseExists({
      TableName: this.table,
      Key: purchaseKey(accountId, paymentIntentId),
      UpdateExpression: `REMOVE ${claim}`,
      ConditionExpression: `attribute_exists(${path})`,
      ExpressionAttributeNames: names,
    });
  }

  /** An update of a purchase's notices that does nothing once the purchase went (erased with its account: nobody is left to tell). */
  private async ifPurchaseExists(update: ConstructorParameters<typeof UpdateCommand>[0]): Promise<void> {
    try {
      await this.client.send(new UpdateCommand(update));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async paymentRecorded(paymentIntentId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: paymentKey(paymentIntentId), ConsistentRead: true, ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }

  async purchasesOf(accountId: string): Promise<Purchase[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :purchase)',
      ExpressionAttributeValues: { ':pk': accountKey(accountId), ':purchase': ITEMS.purchase.skPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => purchaseOf(item)!);
  }

  /** The balance item plus, on a sharded plan, every balance shard the gateway spends from. */
  async balance(accountId: string): Promise<number> {
    return totalBalance(this.client, this.table, accountId);
  }

  /** Newest first; the cursor is the last entry's sort key and only ever addresses this account's entries. */
  async page(accountId: string, options: { limit: number; cursor?: string }): Promise<LedgerPage> {
    const pk = accountKey(accountId);
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': pk, ':entry': ITEMS.ledgerEntry.skPrefix },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? { pk, sk: options.cursor } : undefined,
      }),
    );
    return { entries: (Items ?? []).map(entryOf), nextCursor: LastEvaluatedKey ? String(LastEvaluatedKey.sk) : undefined };
  }

  async all(accountId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': accountKey(accountId), ':entry': ITEMS.ledgerEntry.skPrefix },
    });
    return items.map(entryOf);
  }
}
