import { createHash } from 'node:crypto';
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchDelete } from '../../shared/adapters/dynamodb-usage-logs';
import { accountSessionItems, sessionKeys } from '../../shared/adapters/dynamodb-sessions';
import type { TableName } from '../../shared/tables';
import { balanceShards } from '../../shared/adapters/dynamodb-balance';
import type { UsageLogStore } from '../../shared/usage-logs';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuditTrail } from '../../shared/adapters/dynamodb-audit';
import { auditExpiresAt, auditRetentionDaysOf, GENESIS, hashOf, streamOf } from '../../shared/audit';
import type { Pseudonymiser } from '../../shared/pseudonyms';
import type { ErasureCategory, ErasureSubject, ProofPosition, SubjectEraser } from '../domain/erasure';
import { type OpenSlot, openSlotOf, type PrivacyRequest, REQUEST_TYPES } from '../domain/model';
import { auditEventKey, ITEMS, pseudonymPartition, subjectPartitions } from '../../shared/items';

type Item = Record<string, unknown>;
const BATCH = 25;
/** Scan pages (up to 1 MB each) the proof reads in one workflow step. */
const PROOF_PAGES_PER_STEP = 50;
const emailHash = (email: string) => createHash('sha256').update(email).digest('hex');

/**
 * Erases a subject everywhere the data map points, with BatchWriteItem (unprocessed items retried),
 * a page per call so any volume finishes inside Lambda's limits as a Step Functions loop. Usage logs
 * go through the shared UsageLogStore port; raw mail goes from the inbound bucket with its ticket;
 * ledger entries are moved under a keyed pseudonym (shared/pseudonyms.ts) without the Stripe customer id.
 */
export class DynamoDbEraser implements SubjectEraser {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: Record<TableName, string>,
    private readonly usageLogs: UsageLogStore,
    private readonly s3: S3Client,
    /** The inbound mail bucket (raw messages of tickets) and the export bucket (archives of access requests). */
    private readonly buckets: { inboundMail: string; exports: string },
    private readonly stripe: () => Promise<{ deleteCustomer(id: string): Promise<'deleted' | 'already_gone'> } | undefined>,
    private readonly pseudonyms: Pseudonymiser,
    /** Scan pages (up to 1 MB each) the proof reads per call. @default 50 */
    private readonly proofPagesPerStep = PROOF_PAGES_PER_STEP,
  ) {}

  async capture(accountId: string): Promise<ErasureSubject | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.accounts, Key: ITEMS.account.key({ accountId }), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      accountId,
      email: String(Item.email),
      stripeCustomerId: Item.stripeCustomerId as string | undefined,
      emailSince: String(Item.emailSince ?? Item.createdAt),
    };
  }

  async stopAccess(subject: ErasureSubject): Promise<{ keys: number; sessions: number }> {
    // First: usage events still queued (calls admitted before the keys are revoked, or within the
    // gateway's key cache) find the mark and are not recorded, so nothing is written back behind the erasure.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.accounts,
          Key: ITEMS.account.key({ accountId: subject.accountId }),
          UpdateExpression: 'SET erasingSince = if_not_exists(erasingSince, :now)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const keys = await this.all({
      TableName: this.tables.apiKeys,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :key)',
      ExpressionAttributeValues: { ':pk': ITEMS.apiKey.pk({ accountId: subject.accountId }), ':key': ITEMS.apiKey.skPrefix },
      ConsistentRead: true,
    });
    const now = new Date().toISOString();
    for (const key of keys.filter((k) => k.status !== 'revoked')) {
      for (const target of [{ pk: key.pk, sk: key.sk }, ITEMS.apiKeyLookup.key({ secretHash: String(key.secretHash) })]) {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tables.apiKeys,
            Key: target,
            UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
          }),
        );
      }
    }
    const sessions = await this.deleteSessions(subject.accountId);
    return { keys: keys.length, sessions: sessions.erased };
  }

  async erasePage(category: ErasureCategory, subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const { accountId, email } = subject;
    const partitions = (table: TableName) => subjectPartitions(table, { accountId, emailHash: emailHash(email) });
    switch (category) {
      case 'usageLogs':
        return this.usageLogs.erasePage(accountId, limit);
      case 'sessions':
        // stopAccess ended them all; this sweeps what a sign-in may have added since, and the proof checks.
        return this.deleteSessions(accountId, limit);
      case 'apiKeys': {
        const page = await this.page(
          {
            TableName: this.tables.apiKeys,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': ITEMS.apiKey.pk({ accountId }) },
            ConsistentRead: true,
          },
          limit,
        );
        // Each key's lookup copy goes with it; the account's key places (KEYSLOT#) go too, but are not keys to count.
        const copies = page.items.filter((k) => k.secretHash).map((k) => ITEMS.apiKeyLookup.key({ secretHash: String(k.secretHash) }));
        await this.deleteKeys('apiKeys', [...page.items, ...copies]);
        return { erased: page.items.filter((item) => ITEMS.apiKey.matches(item)).length, remaining: page.remaining };
      }
      case 'usageAggregates':
        return this.erasePartitions('usageAggregates', partitions('usageAggregates'), limit);
      case 'securityEvents':
        // Every partition built from the account id or the address's hash, whichever context declared it
        // (shared/items.ts): events, failed sign-ins before the account existed, key address digests, counters.
        return this.erasePartitions('securityEvents', partitions('securityEvents'), limit);
      case 'tickets': {
        const page = await this.page(
          {
            TableName: this.tables.tickets,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
            ExpressionAttributeValues: { ':pk': ITEMS.ticket.gsi1pk({ email }), ':since': subject.emailSince },
          },
          limit,
        );
        // The raw message goes with its ticket.
        for (const ticket of page.items) if (ticket.storageKey) await this.eraseObject(this.buckets.inboundMail, String(ticket.storageKey));
        await this.deleteKeys('tickets', page.items);
        return { erased: page.items.length, remaining: page.remaining };
      }
      case 'tokens':
        // Links live a day at most and are found by account id only: a scan of a table that stays tiny.
        return this.eraseScanned('tokens', {
          TableName: this.tables.tokens,
          FilterExpression: 'accountId = :id',
          ExpressionAttributeValues: { ':id': accountId },
        });
      case 'webhookEvents':
        if (!subject.stripeCustomerId) return { erased: 0, remaining: false };
        return this.eraseScanned('webhookEvents', {
          TableName: this.tables.webhookEvents,
          FilterExpression: 'customerId = :c',
          ExpressionAttributeValues: { ':c': subject.stripeCustomerId },
        });
      case 'ledger':
        return this.pseudonymiseLedger(subject, limit);
      case 'exports':
        return this.eraseExports(subject);
      case 'auditEvents':
        return this.pseudonymiseAudit(subject, limit);
      case 'privacyRequests':
        return this.pseudonymiseRequests(subject, limit);
      case 'accounts': {
        const keys = [ITEMS.account.key({ accountId }), ITEMS.emailGuard.key({ email })];
        await this.deleteKeys('accounts', keys);
        return { erased: 1, remaining: false };
      }
    }
  }

  /**
   * Accounting keeps the entries (10 years), without the person: each entry moves to
   * `PSEUDONYM#<token>` with no Stripe customer id; balance, guards, purchases and notice state go;
   * the payment lookups name the pseudonym.
   */
  private async pseudonymiseLedger(subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const pseudonym = await this.pseudonyms.of('account', subject.accountId);
    const page = await this.page(
      {
        TableName: this.tables.ledger,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ITEMS.ledgerEntry.pk({ accountId: subject.accountId }) },
        ConsistentRead: true,
      },
      limit,
    );
    for (const item of page.items) {
      if (ITEMS.ledgerEntry.matches(item)) {
        const { pk: _pk, stripe, ...entry } = item;
        const { customerId: _customer, ...refs } = (stripe ?? {}) as Item;
        await this.client.send(
          new PutCommand({
            TableName: this.tables.ledger,
            Item: { ...entry, pk: pseudonymPartition(pseudonym), ...(stripe ? { stripe: refs } : {}) },
          }),
        );
      }
      if (ITEMS.purchase.matches(item)) {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tables.ledger,
            Key: ITEMS.payment.key({ paymentIntentId: String(item.paymentIntentId) }),
            UpdateExpression: 'SET accountId = :p',
            ExpressionAttributeValues: { ':p': pseudonym },
          }),
        );
      }
    }
    await this.deleteKeys('ledger', page.items);
    // A sharded plan's balance shards live in partitions of their own.
    if (!page.remaining)
      await this.deleteKeys(
        'ledger',
        (await balanceShards(this.client, this.tables.ledger, subject.accountId))
          .filter((shard, i) => i > 0 && shard.balance !== undefined)
          .map((shard) => shard.key),
      );
    return { erased: page.items.length, remaining: page.remaining };
  }

  /**
   * The archives earlier access and portability requests left in the export bucket: each deleted, and
   * its request keeps the archive's key (no personal data: request id and random characters) but no
   * download token, so every mailed link answers 404 and the proof can check the object is gone.
   */
  private async eraseExports(subject: ErasureSubject): Promise<{ erased: number; remaining: boolean }> {
    let erased = 0;
    for (const request of await this.requestsOf(ITEMS.privacyRequest.gsi1pk({ accountId: subject.accountId }))) {
      const archive = request.export as { key?: string; erasedAt?: string } | undefined;
      if (!archive?.key || archive.erasedAt) continue;
      await this.eraseObject(this.buckets.exports, archive.key);
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.privacyRequests,
          Key: { pk: request.pk, sk: request.sk },
          UpdateExpression: 'SET #export.erasedAt = :now REMOVE #export.downloadTokenHash, #export.linkExpiresAt',
          ExpressionAttributeNames: { '#export': 'export' },
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      );
      erased++;
    }
    return { erased, remaining: false };
  }

  /**
   * The account's audit stream moves under its pseudonym, a page at a time: the account id becomes the
   * pseudonym wherever it appears, addresses, user agents and changes go, an operator's identity stays.
   * Each event keeps its sequence number and is re-chained to the moved event before it, so the moved
   * stream verifies, and carries the original's hash (`movedFromHash`), so the account's stream, whose
   * oldest events are gone while the move runs, reads as moving rather than truncated; a retried page finds its events already moved and only deletes the originals.
   * When the stream is empty, the operators' stream records that it was moved, with its new head.
   */
  private async pseudonymiseAudit(subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const pseudonym = await this.pseudonyms.of('account', subject.accountId);
    const retentionDays = auditRetentionDaysOf();
    const trail = new DynamoDbAuditTrail(this.client, this.tables.auditEvents, retentionDays);
    const from = streamOf([{ type: 'account', id: subject.accountId }]);
    const to = `pseudonym#${pseudonym}`;
    const page = await trail.page(from, { newestFirst: false, limit });
    const scrub = (text: string) => text.split(subject.accountId).join(pseudonym).split(subject.email).join('(erased address)');
    for (const event of page.events) {
      const [previous] = event.seq > 1 ? (await trail.page(to, { newestFirst: true, limit: 1 })).events : [];
      const { hash: _hash, ...original } = event;
      const moved = {
        ...original,
        stream: to,
        actor: event.actor.type === 'account' ? { type: 'account' as const, id: pseudonym } : event.actor,
        targets: event.targets.map((t) => ({ type: t.type, id: scrub(t.id) })),
        context: event.context?.requestId ? { requestId: event.context.requestId } : undefined,
        change: undefined,
        reason: event.reason === undefined ? undefined : scrub(event.reason),
        prevHash: previous?.hash ?? GENESIS,
        // The original's hash, which the account's next event names: verify tells this move from deletion.
        movedFromHash: event.hash,
      };
      const sealed = { ...moved, hash: hashOf(moved) };
      await this.client
        .send(
          new PutCommand({
            TableName: this.tables.auditEvents,
            Item: { ...auditEventKey(to, event.seq), ...sealed, expiresAt: auditExpiresAt(event.at, retentionDays) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((error) => {
          // Moved by an earlier try of this page: only the original is left to delete.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
      await this.deleteKeys('auditEvents', [auditEventKey(from, event.seq)]);
    }
    const remaining = Boolean(page.nextCursor);
    const [head] = remaining ? [] : (await trail.page(to, { newestFirst: true, limit: 1 })).events;
    if (head) {
      await trail.record({
        actor: { type: 'system', id: 'privacy-workflow' },
        action: 'privacy.erase',
        targets: [{ type: 'pseudonym', id: pseudonym }],
        reason: `The erased account's audit stream moved under its pseudonym (${head.seq} events, head ${head.hash})`,
        at: new Date().toISOString(),
      });
    }
    return { erased: page.events.length, remaining };
  }

  /**
   * Ends up to `limit` of the account's sessions, both items of each; found with a strongly consistent
   * read, so one opened a moment ago is among them.
   */
  private async deleteSessions(accountId: string, limit = Number.POSITIVE_INFINITY): Promise<{ erased: number; remaining: boolean }> {
    const sessions = await accountSessionItems(this.client, this.tables.sessions, accountId);
    const page = sessions.slice(0, limit);
    await this.deleteKeys('sessions', page.flatMap(sessionKeys));
    return { erased: page.length, remaining: sessions.length > page.length };
  }

  /** Every privacy request filed under a gsi1 key (the account, or its pseudonym once erased). */
  private requestsOf(gsi1pk: string): Promise<Item[]> {
    return this.all({
      TableName: this.tables.privacyRequests,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': gsi1pk },
    });
  }

  /** Earlier requests stay as proof they were answered (3 years), under the account's pseudonym, with the address's and no details. */
  private async pseudonymiseRequests(subject: ErasureSubject, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const [pseudonym, emailPseudonym] = await Promise.all([
      this.pseudonyms.of('account', subject.accountId),
      this.pseudonyms.of('email', subject.email),
    ]);
    const page = await this.page(
      {
        TableName: this.tables.privacyRequests,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': ITEMS.privacyRequest.gsi1pk({ accountId: subject.accountId }) },
      },
      limit,
    );
    // The open-request claims name the account too: one a type, and one a correction's words (read before they go).
    const slots = new Set<OpenSlot>(REQUEST_TYPES);
    for (const request of page.items) {
      slots.add(openSlotOf(request as unknown as PrivacyRequest));
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.privacyRequests,
          Key: { pk: request.pk, sk: request.sk },
          UpdateExpression: 'SET accountId = :p, gsi1pk = :g, email = :e REMOVE details, verdicts',
          ExpressionAttributeValues: { ':p': pseudonym, ':g': pseudonymPartition(pseudonym), ':e': emailPseudonym },
        }),
      );
    }
    for (const slot of slots) {
      await this.deleteKeys('privacyRequests', [ITEMS.openRequestClaim.key({ accountId: subject.accountId, type: slot })]);
    }
    // Unclear privacy mail from the address (since the account held it) goes, with its place on the clock.
    const unclear = await this.all({
      TableName: this.tables.privacyRequests,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
      ExpressionAttributeValues: { ':pk': ITEMS.unclearMail.gsi1pk({ email: subject.email }), ':since': subject.emailSince },
    });
    await this.deleteKeys('privacyRequests', [
      ...unclear,
      ...unclear.map((m) => ITEMS.openUnclearIndex.key({ ticketId: String(m.ticketId) })),
    ]);
    // Every partition of this table built from the account id or the address's hash (its counters, its hold).
    for (const pk of subjectPartitions('privacyRequests', { accountId: subject.accountId, emailHash: emailHash(subject.email) })) {
      await this.deleteKeys(
        'privacyRequests',
        await this.all({
          TableName: this.tables.privacyRequests,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
    }
    return { erased: page.items.length, remaining: page.remaining };
  }

  async deleteStripeCustomer(customerId: string): Promise<'deleted' | 'already_gone'> {
    const stripe = await this.stripe();
    if (!stripe) throw new Error('The account has a Stripe customer but this deployment has no Stripe API key to delete it');
    return stripe.deleteCustomer(customerId);
  }

  async traces(
    subject: ErasureSubject,
    except: { requestId: string },
    from?: ProofPosition,
  ): Promise<{ found: string[]; next?: ProofPosition }> {
    const needles = [subject.accountId, subject.email, ...(subject.stripeCustomerId ? [subject.stripeCustomerId] : [])];
    const found: string[] = [];
    const tables = Object.entries(this.tables) as [TableName, string][];
    if (!from) {
      // Archives of the person's earlier requests, now filed under the pseudonym: each object must be gone.
      for (const request of await this.requestsOf(pseudonymPartition(await this.pseudonyms.of('account', subject.accountId)))) {
        const key = (request.export as { key?: string } | undefined)?.key;
        if (key && (await this.exists(this.buckets.exports, key)))
          found.push(`exports bucket: the archive of ${String(request.pk).slice(0, 40)}`);
      }
      // Logs are only ever stored under their account: a full scan of the largest table would cost more than it proves.
      if (await this.usageLogs.any(subject.accountId)) found.push('usageLogs: logs under the account');
    }
    let pages = 0;
    for (let index = from?.table ?? 0; index < tables.length; index++) {
      const [table, name] = tables[index]!;
      if (table === 'usageLogs') continue;
      let start = index === from?.table ? from.startKey : undefined;
      do {
        // A page budget per call: the workflow calls again from where this one stopped, so any volume fits its steps.
        if (pages++ >= this.proofPagesPerStep) return { found, next: { table: index, startKey: start } };
        const scanned = await this.client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
        for (const item of scanned.Items ?? []) {
          if (table === 'privacyRequests' && item.pk === ITEMS.privacyRequest.key({ requestId: except.requestId }).pk) continue;
          // Mail sent under the address before the account held it was someone else's, and stays theirs.
          if ((ITEMS.ticket.matches(item) || ITEMS.unclearMail.matches(item)) && String(item.receivedAt ?? '') < subject.emailSince)
            continue;
          const text = JSON.stringify(item);
          for (const needle of needles)
            if (text.includes(needle))
              found.push(
                `${table}: ${String(item.pk).slice(0, 60)} holds ${needle === subject.email ? 'the email' : needle === subject.accountId ? 'the account id' : 'the Stripe customer id'}`,
              );
        }
        start = scanned.LastEvaluatedKey;
      } while (start);
    }
    return { found };
  }

  /** Whether any version of an object still holds its data (a key with only delete markers holds none). */
  private async exists(bucket: string, key: string): Promise<boolean> {
    return (await this.versionsOf(bucket, key)).some((version) => !version.deleteMarker);
  }

  /**
   * Deletes an object for good. The buckets are versioned: deleting the key alone only puts a delete
   * marker on top, and every earlier version stays readable until the lifecycle expires it, so each
   * version and marker is deleted by its id (a bucket that never versioned lists its one as `null`).
   */
  private async eraseObject(bucket: string, key: string): Promise<void> {
    for (const version of await this.versionsOf(bucket, key))
      await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version.id }));
  }

  /** Every version and delete marker of exactly this key. */
  private async versionsOf(bucket: string, key: string): Promise<{ id: string; deleteMarker: boolean }[]> {
    const versions: { id: string; deleteMarker: boolean }[] = [];
    let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page = await this.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...marker }));
      for (const [list, deleteMarker] of [
        [page.Versions ?? [], false],
        [page.DeleteMarkers ?? [], true],
      ] as const)
        for (const version of list) if (version.Key === key && version.VersionId) versions.push({ id: version.VersionId, deleteMarker });
      if (!page.IsTruncated) return versions;
      marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }
  }

  /** Erases whole partitions one page at a time; `remaining` until the last partition is empty. */
  private async erasePartitions(table: TableName, partitions: string[], limit: number): Promise<{ erased: number; remaining: boolean }> {
    for (const pk of partitions) {
      const result = await this.erase(
        table,
        { TableName: this.tables[table], KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } },
        limit,
      );
      // Something was erased here: come back, this partition or the next may hold more.
      if (result.erased || result.remaining) return { erased: result.erased, remaining: true };
    }
    return { erased: 0, remaining: false };
  }

  private async erase(table: TableName, input: QueryCommandInput, limit: number): Promise<{ erased: number; remaining: boolean }> {
    const page = await this.page(input, limit);
    await this.deleteKeys(table, page.items);
    return { erased: page.items.length, remaining: page.remaining };
  }

  private async eraseScanned(table: TableName, input: ScanCommandInput): Promise<{ erased: number; remaining: boolean }> {
    const items: Item[] = [];
    let start: ScanCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.client.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    await this.deleteKeys(table, items);
    return { erased: items.length, remaining: false };
  }

  private async page(input: QueryCommandInput, limit: number): Promise<{ items: Item[]; remaining: boolean }> {
    const { Items, LastEvaluatedKey } = await this.client.send(new QueryCommand({ ...input, Limit: limit }));
    return { items: (Items ?? []) as Item[], remaining: Boolean(LastEvaluatedKey) };
  }

  private async all(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async deleteKeys(table: TableName, items: Item[]): Promise<void> {
    const keys = items.map((item) => ({ pk: item.pk, sk: item.sk }));
    for (let i = 0; i < keys.length; i += BATCH) await batchDelete(this.client, this.tables[table], keys.slice(i, i + BATCH));
  }
}
