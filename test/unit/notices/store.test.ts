import { DynamoDbNoticeStore } from '../../../lambdas/notices/adapters/dynamodb-notices';
import { deliveryKeyOf, type NoticeJob } from '../../../lambdas/notices/domain/model';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** The notice store against DynamoDB's protocol (dynalite): claims are conditional, records name no account. */
describe('DynamoDbNoticeStore', () => {
  let dynamo: LocalDynamo;
  let store: DynamoDbNoticeStore;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    store = new DynamoDbNoticeStore(dynamo.client, 'notices');
  });
  afterAll(() => dynamo.stop());

  const job: NoticeJob = {
    noticeId: 'ntc_00000000000000000000000a',
    topic: 'service',
    subject: 'S',
    body: 'B',
    segment: {},
    createdAt: '2026-12-05T12:00:00.000Z',
    createdBy: 'ops',
    recipients: 3,
    excluded: { unverified: 1 },
  };

  it('creates a job once and claims each recipient once, among twenty racing senders', async () => {
    expect(await store.createIfAbsent(job)).toBe(true);
    expect(await store.createIfAbsent({ ...job, subject: 'other' })).toBe(false);
    expect(await store.get(job.noticeId)).toEqual(job);
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(job.noticeId, 'acc_1', '2026-12-05T12:00:01.000Z')));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('settles, releases only a claim, and counts what happened', async () => {
    await store.settle(job.noticeId, 'acc_1', { outcome: 'sent', at: '2026-12-05T12:00:02.000Z' });
    await store.release(job.noticeId, 'acc_1'); // sent: nothing to give back
    expect(await store.claim(job.noticeId, 'acc_1', '2026-12-05T12:00:09.000Z')).toBe(false);
    await store.claim(job.noticeId, 'acc_2', '2026-12-05T12:00:03.000Z');
    await store.release(job.noticeId, 'acc_2');
    expect(await store.claim(job.noticeId, 'acc_2', '2026-12-05T12:00:04.000Z')).toBe(true);
    await store.settle(job.noticeId, 'acc_2', { outcome: 'skipped', why: 'opted_out', at: '2026-12-05T12:00:05.000Z' });
    await store.claim(job.noticeId, 'acc_3', '2026-12-05T12:00:06.000Z');
    expect(await store.progress(job.noticeId)).toEqual({ sent: 1, skipped: 1, claimed: 1 });
    expect(await store.handled(job.noticeId)).toEqual(new Set(['acc_1', 'acc_2', 'acc_3'].map((a) => deliveryKeyOf(job.noticeId, a))));
    const { notices } = await dynamo.scanAll();
    expect(JSON.stringify(notices)).not.toContain('acc_');
    expect(notices.every((item) => typeof item.expiresAt === 'number')).toBe(true);
  });
});
