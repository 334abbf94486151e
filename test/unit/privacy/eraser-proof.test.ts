import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, NotFound, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRequests } from '../../../lambdas/privacy/adapters/dynamodb-requests';
import { openSlotOf } from '../../../lambdas/privacy/domain/model';
import { eraserOn, TEST_PSEUDONYM_KEYS } from '../../helpers/eraser';
import type { ProofPosition } from '../../../lambdas/privacy/domain/erasure';
import { pseudonymPartition } from '../../../lambdas/shared/items';
import { HmacPseudonymiser } from '../../../lambdas/shared/pseudonyms';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** The proof's re-scan, a bounded part per workflow step, against DynamoDB's protocol (dynalite). */
describe('the erasure proof', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const subject = { accountId: 'acc_gone', email: 'gone@example.org', emailSince: '2026-01-01T00:00:00Z' };
  const eraser = (pagesPerStep: number) => eraserOn(dynamo, pagesPerStep);
  /** Calls the proof step after step, as the workflow does, until it has looked everywhere. */
  const proveAll = async (pagesPerStep: number) => {
    const found: string[] = [];
    let next: ProofPosition | undefined;
    let steps = 0;
    do {
      const part = await eraser(pagesPerStep).traces(subject, { requestId: 'prq_self' }, next);
      found.push(...part.found);
      next = part.next;
      steps++;
    } while (next);
    return { found, steps };
  };

  it('looks at every table a page budget at a time, and finds what was left in the last one', async () => {
    await dynamo.client.send(
      new PutCommand({
        TableName: 'tickets',
        Item: { pk: 'TICKET#t1', sk: 'TICKET', from: subject.email, receivedAt: '2026-06-01T00:00:00Z' },
      }),
    );
    await dynamo.client.send(
      new PutCommand({ TableName: 'accounts', Item: { pk: 'ACCOUNT#acc_other', sk: 'PROFILE', email: 'other@example.org' } }),
    );
    const paged = await proveAll(1);
    expect(paged.steps).toBeGreaterThan(5);
    expect(paged.found).toEqual(['tickets: TICKET#t1 holds the email']);
    const whole = await proveAll(1_000);
    expect(whole).toEqual({ found: paged.found, steps: 1 });
  });

  it("erases the open-request claims of an account's corrections, each named by its words, with the requests' details", async () => {
    const who = { accountId: 'acc_corrected', email: 'corrected@example.org', emailSince: '2026-01-01T00:00:00Z' };
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    for (const [n, details] of ['Correct my name to Ann Smith', 'My date of birth on file is wrong'].entries()) {
      const request = { requestId: `prq_${String(n).repeat(24)}`, type: 'correction' as const, details };
      await requests.claimOpen(who.accountId, openSlotOf(request), request.requestId);
      await requests.create({
        ...request,
        status: 'needs_manual_action',
        channel: 'api',
        accountId: who.accountId,
        email: who.email,
        receivedAt: '2026-06-01T00:00:00Z',
        dueAt: '2026-07-01T00:00:00Z',
        history: [],
      });
    }
    for (let page = { remaining: true }; page.remaining; ) page = await eraser(1).erasePage('privacyRequests', who, 1);
    const left = await dynamo.client.send(
      new ScanCommand({
        TableName: 'privacyRequests',
        FilterExpression: 'begins_with(pk, :open)',
        ExpressionAttributeValues: { ':open': `OPEN#${who.accountId}#` },
      }),
    );
    expect(left.Items).toEqual([]);
  });

  it("skips the deletion request's own record and mail from before the account held the address", async () => {
    await dynamo.client.send(
      new PutCommand({ TableName: 'privacyRequests', Item: { pk: 'REQUEST#prq_self', sk: 'REQUEST', accountId: subject.accountId } }),
    );
    await dynamo.client.send(
      new PutCommand({
        TableName: 'tickets',
        Item: { pk: 'TICKET#old', sk: 'TICKET', from: subject.email, receivedAt: '2025-06-01T00:00:00Z' },
      }),
    );
    expect((await proveAll(2)).found).toEqual(['tickets: TICKET#t1 holds the email']);
  });
});

/**
 * The export and inbound-mail buckets are versioned: deleting a key only puts a delete marker on top,
 * and the archive (everything the person asked for) stays readable as an older version. A local S3
 * keeps one version per key, so only S3's own answers, as the SDK parses them, show it.
 */
describe('archives in the versioned export bucket', () => {
  let dynamo: LocalDynamo;
  const s3 = mockClient(S3Client);
  const pseudonymiser = new HmacPseudonymiser(async () => TEST_PSEUDONYM_KEYS);
  const subject = { accountId: 'acc_archived', email: 'archived@example.org', emailSince: '2026-01-01T00:00:00Z' };
  const key = 'exports/prq_archive.zip';
  const eraser = () => eraserOn(dynamo);
  const fileRequest = (gsi1pk: string) =>
    dynamo.client.send(
      new PutCommand({
        TableName: 'privacyRequests',
        Item: { pk: 'REQUEST#prq_archive', sk: 'REQUEST', gsi1pk, gsi1sk: '2026-06-01', export: { key } },
      }),
    );
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => {
    s3.restore();
    await dynamo.stop();
  });
  beforeEach(() => s3.reset());

  it('erases every version of an archive and its delete markers, not just the key', async () => {
    await fileRequest(`ACCOUNT#${subject.accountId}`);
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: key, VersionId: 'v2', IsLatest: true },
        { Key: key, VersionId: 'v1', IsLatest: false },
        { Key: `${key}.other`, VersionId: 'x1', IsLatest: true },
      ],
      DeleteMarkers: [{ Key: key, VersionId: 'm1', IsLatest: false }],
    });
    s3.on(DeleteObjectCommand).resolves({});
    expect(await eraser().erasePage('exports', subject, 10)).toEqual({ erased: 1, remaining: false });
    const deleted = s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input);
    expect(deleted).toEqual(['v2', 'v1', 'm1'].map((VersionId) => ({ Bucket: 'exports', Key: key, VersionId })));
  });

  it('the proof finds an archive left as an older version behind a delete marker, and not a key with only a marker', async () => {
    await fileRequest(pseudonymPartition(await pseudonymiser.of('account', subject.accountId)));
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [{ Key: key, VersionId: 'v1', IsLatest: false }],
      DeleteMarkers: [{ Key: key, VersionId: 'm1', IsLatest: true }],
    });
    const found = (await eraser().traces(subject, { requestId: 'prq_self' })).found;
    expect(found).toContain('exports bucket: the archive of REQUEST#prq_archive');

    s3.on(ListObjectVersionsCommand).resolves({ DeleteMarkers: [{ Key: key, VersionId: 'm1', IsLatest: true }] });
    expect((await eraser().traces(subject, { requestId: 'prq_self' })).found).not.toContain(
      'exports bucket: the archive of REQUEST#prq_archive',
    );
  });
});
