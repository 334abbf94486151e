import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { CLAIM_ORPHANED_AFTER_MS, DynamoDbRequests } from '../../../lambdas/privacy/adapters/dynamodb-requests';
import { PrivacyIntake } from '../../../lambdas/privacy/domain/intake';
import type { Subject } from '../../../lambdas/privacy/domain/ports';
import { DynamoDbWindowCounter } from '../../../lambdas/shared/adapters/dynamodb-counter';
import { ITEMS } from '../../../lambdas/shared/items';
import { MemoryMailer } from '../../helpers/memory-accounts';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** The claim that makes a second request of a type join the open one, on the real protocol (dynalite behind the local proxy). */
describe('open-request claims', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const subject = (accountId: string): Subject => ({ accountId, email: `${accountId}@example.org`, name: 'Ann' });
  function intakeFor(requests: DynamoDbRequests) {
    const started: string[] = [];
    const intake = new PrivacyIntake({
      requests,
      subjects: {
        findByEmail: async () => undefined,
        get: async (id: string) => subject(id),
        passwordMatches: async () => false,
      },
      workflow: {
        start: async (r: { requestId: string }) => void started.push(r.requestId),
        resume: async () => 'delivered' as const,
        fail: async () => 'delivered' as const,
      },
      mailer: new MemoryMailer(),
      counter: new DynamoDbWindowCounter(dynamo.client, 'privacyRequests'),
      publicUrl: 'https://api.omnapi.test',
      linkLifeHours: 72,
      now: () => new Date(),
    });
    return { intake, started };
  }
  const claimItem = (accountId: string, requestId: string, claimedAt?: number) =>
    dynamo.client.send(
      new PutCommand({
        TableName: 'privacyRequests',
        Item: {
          ...ITEMS.openRequestClaim.key({ accountId, type: 'access' }),
          requestId,
          ...(claimedAt === undefined ? {} : { claimedAt }),
        },
      }),
    );

  it('opens a correction in other words as a request of its own, and joins one in the same words, however often asked at once', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const { intake, started } = intakeFor(requests);
    const first = await intake.fromApi('acc_corrects', 'correction', 'My date of birth on file is wrong');
    // A second correction while the first waits for a person: its words must reach a request, not vanish into the first.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => intake.fromApi('acc_corrects', 'correction', 'Correct my name to Ann Smith')),
    );
    const again = await intake.fromApi('acc_corrects', 'correction', ' my date of birth  on file is wrong');
    const stored = await requests.listByAccount('acc_corrects');
    expect(stored.map((r) => r.details).sort()).toEqual(['Correct my name to Ann Smith', 'My date of birth on file is wrong']);
    expect(again).toMatchObject({ joined: true, request: { requestId: first.request.requestId } });
    const second = stored.find((r) => r.details === 'Correct my name to Ann Smith')!;
    expect(new Set(answers.map((a) => a.request.requestId))).toEqual(new Set([second.requestId]));
    expect(started.sort()).toEqual([first.request.requestId, second.requestId].sort());
  });

  it('opens one request for twelve of one type asked at once through the API, and starts one workflow', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const { intake, started } = intakeFor(requests);
    const answers = await Promise.all(Array.from({ length: 12 }, () => intake.fromApi('acc_burst', 'deletion', undefined)));
    const stored = (await requests.listByAccount('acc_burst')).filter((r) => r.type === 'deletion');
    expect(stored).toHaveLength(1);
    expect(new Set(answers.map((a) => a.request.requestId))).toEqual(new Set([stored[0]!.requestId]));
    expect(started).toEqual([stored[0]!.requestId]);
  });

  it('names the holder of a fresh claim even before its request is stored', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    await claimItem('acc_fresh', 'prq_aaaaaaaaaaaaaaaaaaaaaaaa', Date.now());
    expect(await requests.claimOpen('acc_fresh', 'access', 'prq_bbbbbbbbbbbbbbbbbbbbbbbb')).toBe('prq_aaaaaaaaaaaaaaaaaaaaaaaa');
  });

  it('takes over a claim older than any invocation whose request was never stored (its opener crashed in between)', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    await claimItem('acc_crashed', 'prq_aaaaaaaaaaaaaaaaaaaaaaaa', Date.now() - CLAIM_ORPHANED_AFTER_MS - 1_000);
    expect(await requests.claimOpen('acc_crashed', 'access', 'prq_bbbbbbbbbbbbbbbbbbbbbbbb')).toBe('prq_bbbbbbbbbbbbbbbbbbbbbbbb');
    // A claim written before claims carried their time is judged the same way.
    await claimItem('acc_legacy', 'prq_aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(await requests.claimOpen('acc_legacy', 'access', 'prq_cccccccccccccccccccccccc')).toBe('prq_cccccccccccccccccccccccc');
  });

  it('keeps an old claim whose request exists: that request is open and is joined', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const { intake } = intakeFor(requests);
    const first = await intake.fromApi('acc_old', 'access', undefined);
    await claimItem('acc_old', first.request.requestId, Date.now() - CLAIM_ORPHANED_AFTER_MS - 1_000);
    const again = await intake.fromApi('acc_old', 'access', undefined);
    expect(again).toMatchObject({ joined: true, request: { requestId: first.request.requestId } });
  });

  it('keeps the language of every letter that joined a request, each once, however many join at once or are redelivered', async () => {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const { intake } = intakeFor(requests);
    const { request } = await intake.fromApi('acc_joined', 'access', undefined);

    await Promise.all(['de', 'fr', 'de', 'pl', 'fr'].map((language) => requests.addJoinedLanguage(request.requestId, language)));

    expect([...(await requests.get(request.requestId))!.joinedLanguages!].sort()).toEqual(['de', 'fr', 'pl']);
    expect(JSON.parse(JSON.stringify(await requests.listByAccount('acc_joined')))[0].joinedLanguages.sort()).toEqual(['de', 'fr', 'pl']);
  });
});
