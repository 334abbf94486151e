import * as os from 'node:os';
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SPECS } from '../../lambdas/shared/tables';
import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  localAws,
  SETUP_TIMEOUT_MS,
  startLocalProcess,
  queuesSettled,
} from '../helpers/local-process';
import { sendMail } from '../helpers/mail';
import { ops } from '../helpers/ops';
import { apiUrlOfLink, linkMailedTo, mailMatching } from '../helpers/outbox';
import { unrecognisedItems } from '../helpers/item-types';

const PASSWORD = 'correct horse battery staple';

describe('erasure against npm start', () => {
  let local: LocalProcess;
  let dynamo: DynamoDBDocumentClient;
  const run = Date.now().toString(36);
  const email = (who: string) => `${who}-${run}@example.org`;

  beforeAll(async () => {
    // An hour of cooling-off (ops start-now ends it), a watchdog every second, no key cache.
    const context = { privacy: { coolingOffHours: 1 }, keyCacheSeconds: 0 };
    local = await startLocalProcess({ env: { LOCAL_SCHEDULE_MS: '1000', OMNAPI_CONTEXT: JSON.stringify(context) } });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  const api = (method: string, route: string, options?: CallOptions) => callApi(local.api, method, route, options);
  const signUp = async (who: string) => {
    await api('POST', '/v1/auth/signup', { body: { name: who, email: email(who), password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email(who))));
    const login = await api('POST', '/v1/auth/login', { body: { email: email(who), password: PASSWORD } });
    const key = (await api('POST', '/v1/keys', { token: login.body.token, body: { name: 'k' } })).body.secret as string;
    return { token: login.body.token as string, accountId: login.body.accountId as string, key };
  };
  const postForm = (path: string, link: string) =>
    fetch(`${local.api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URL(link).searchParams.toString(),
    });
  const requestDeletion = async (who: string) => {
    await sendMail(local, { from: email(who), to: 'privacy@omnapi.com', subject: 'Account', text: 'Please delete my account.' });
    const link = (await mailMatching(local, email(who), /Confirm your privacy request/)).text!.match(
      /https?:\/\/\S+\/privacy\/confirm\S+/,
    )![0];
    expect((await postForm('/v1/privacy/confirm', link)).status).toBe(200);
    return new URL(link).searchParams.get('request')!;
  };
  /** Where `needle` occurs in `text`, with what surrounds it (undefined when it does not). */
  const around = (text: string, needle: string) => {
    const at = text.indexOf(needle);
    return at < 0 ? undefined : text.slice(Math.max(0, at - 300), at + needle.length + 100);
  };
  const show = async (requestId: string) => JSON.parse((await ops(local, 'privacy', 'show', requestId)).stdout);
  const everything = async () => {
    const all: string[] = [];
    for (const table of Object.keys(TABLE_SPECS))
      all.push(JSON.stringify((await dynamo.send(new ScanCommand({ TableName: table }))).Items ?? []));
    return all.join('\n');
  };

  it('deletion: mail → link → cooling-off → start-now → erased everywhere, proven, with a receipt; the address can sign up afresh', async () => {
    const dan = await signUp('dan');
    expect((await ops(local, 'grant-credits', '--email', email('dan'), '--amount', '5', '--reason', 'e2e')).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await api('GET', `/v1/api/echo/dan-${i}`, { key: dan.key })).status).toBe(200);
    await sendMail(local, { from: email('dan'), to: 'support@omnapi.com', subject: 'Question', text: 'How do keys work?' });
    // Logged at the usage drain's next run, within its minute (LOCAL_SCHEDULE_MS leaves a drain's period as deployed).
    await eventually(async () => expect((await api('GET', '/v1/usage/logs', { token: dan.token })).body.logs).toHaveLength(3), 90_000);

    // An access export first: its archive and mailed link must not outlive the erasure.
    const access = await api('POST', '/v1/privacy/requests', { token: dan.token, body: { type: 'access' } });
    expect(access.status).toBe(201);
    const ready = await mailMatching(local, email('dan'), /Your OmnAPI data is ready/);
    const downloadLink = apiUrlOfLink(ready.text!.match(/https?:\/\/\S+\/privacy\/requests\/\S+/)![0]);
    expect((await fetch(downloadLink, { redirect: 'manual' })).status).toBe(302);
    const s3 = new S3Client(localAws(local).s3);
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!);
    const exportsBucket = buckets.find((name) => /exports/i.test(name))!;
    const inboundBucket = buckets.find((name) => /inboundmail/i.test(name))!;
    const rawMailFrom = async (address: string) => {
      const objects = (await s3.send(new ListObjectsV2Command({ Bucket: inboundBucket, Prefix: 'inbound/' }))).Contents ?? [];
      const texts = await Promise.all(
        objects.map(async (o) => (await s3.send(new GetObjectCommand({ Bucket: inboundBucket, Key: o.Key }))).Body!.transformToString()),
      );
      return texts.filter((text) => text.includes(address)).length;
    };
    const archives = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: exportsBucket, Prefix: `exports/${access.body.requestId}/` }))).Contents ?? [])
        .length;
    expect(await archives()).toBe(1);
    expect(await rawMailFrom(email('dan'))).toBeGreaterThanOrEqual(1);

    const requestId = await requestDeletion('dan');
    const cooling = await mailMatching(local, email('dan'), /will be deleted on/);
    expect(cooling.text).toMatch(/\/privacy\/cancel\?request=/);
    expect(cooling.text).not.toMatch(/\/v1\//);
    expect((await ops(local, 'privacy', 'start-now', requestId)).code).toBe(0);

    const receipt = await mailMatching(local, email('dan'), /has been deleted/);
    expect(receipt.text).toMatch(/usage logs: 3/);
    expect(receipt.text).toMatch(/ledger/);
    expect(receipt.text).toMatch(/data exports: 1/);
    const record = await show(requestId);
    // Keyed pseudonyms: not the plain SHA-256 of the address anyone with a list of addresses could match.
    expect(record).toMatchObject({
      status: 'completed',
      email: expect.stringMatching(/^psn_1_[0-9a-f]{32}$/),
      accountId: expect.stringMatching(/^psn_1_[0-9a-f]{32}$/),
    });
    expect(JSON.stringify(record)).not.toContain(createHash('sha256').update(email('dan')).digest('hex'));
    expect(record.erasure.counts).toMatchObject({ usageLogs: 3, apiKeys: 1, accounts: 1, tickets: 2, exports: 1 });
    // The export's archive is gone and its mailed link answers 404.
    expect(await archives()).toBe(0);
    // So are the raw messages of the tickets, from the inbound bucket.
    expect(await rawMailFrom(email('dan'))).toBe(0);
    expect((await fetch(downloadLink, { redirect: 'manual' })).status).toBe(404);
    s3.destroy();

    // Read before anything below signs in as dan again (a failed sign-in for an unknown address is new data of its own).
    const stored = await everything();
    expect((await api('POST', '/v1/auth/login', { body: { email: email('dan'), password: PASSWORD } })).status).toBe(401);
    expect((await api('GET', '/v1/api/echo/after', { key: dan.key })).status).toBe(401);
    expect(stored.includes(dan.accountId)).toBe(false);
    expect(stored.includes(email('dan'))).toBe(false);
    // The ledger keeps the grant for accounting, under a pseudonym.
    expect(stored).toMatch(/PSEUDONYM#psn_1_[0-9a-f]{32}/);
    expect(around(stored, createHash('sha256').update(email('dan')).digest('hex'))).toBeUndefined();

    const again = await api('POST', '/v1/auth/signup', { body: { name: 'dan', email: email('dan'), password: PASSWORD } });
    expect(again.status).toBe(201);
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email('dan'))));
    const fresh = await api('POST', '/v1/auth/login', { body: { email: email('dan'), password: PASSWORD } });
    expect(fresh.body.accountId).not.toBe(dan.accountId);
    expect((await api('GET', '/v1/billing/balance', { token: fresh.body.token })).body.balanceMicro).toBe(0);
  }, 300_000);

  it('calls made just before a deletion are not logged after it: their usage events, still queued, find the account erased', async () => {
    const ivy = await signUp('ivy');
    expect((await ops(local, 'grant-credits', '--email', email('ivy'), '--amount', '5', '--reason', 'e2e')).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await api('GET', `/v1/api/echo/ivy-${i}`, { key: ivy.key })).status).toBe(200);
    // At once, before the usage drain's next run: the calls' events are still in the usage queue.
    const deletion = await api('POST', '/v1/privacy/requests', { token: ivy.token, body: { type: 'deletion', password: PASSWORD } });
    expect(deletion.status).toBe(201);
    expect((await ops(local, 'privacy', 'start-now', deletion.body.requestId)).code).toBe(0);
    await mailMatching(local, email('ivy'), /has been deleted/);
    // Every queued event handled: none may have written the account's logs, rollups or sweep entries back.
    // The drain runs once a minute here (as deployed), and the runtime may have started moments ago.
    await queuesSettled(local, 90_000);
    const stored = await everything();
    expect(around(stored, ivy.accountId)).toBeUndefined();
    expect((await show(deletion.body.requestId)).status).toBe('completed');
  }, 300_000);

  it('a legal hold defers the deletion with the reason told; clearing it resumes it', async () => {
    await signUp('eve');
    expect((await ops(local, 'legal-hold', 'set', '--email', email('eve'), '--reason', 'court order 42')).code).toBe(0);
    const requestId = await requestDeletion('eve');
    expect((await mailMatching(local, email('eve'), /is on hold/)).text).toMatch(/court order 42/);
    expect((await show(requestId)).history.at(-1).note).toMatch(/^deferred: a legal hold: court order 42/);
    expect((await ops(local, 'legal-hold', 'clear', '--email', email('eve'))).code).toBe(0);
    await mailMatching(local, email('eve'), /will be deleted on/);
    expect((await ops(local, 'privacy', 'start-now', requestId)).code).toBe(0);
    await mailMatching(local, email('eve'), /has been deleted/);
  }, 300_000);

  it('the cancel link ends a deletion in its cooling-off with nothing erased; a spoofed deletion mail erases nothing', async () => {
    const fay = await signUp('fay');
    const requestId = await requestDeletion('fay');
    const cancel = apiUrlOfLink(
      (await mailMatching(local, email('fay'), /will be deleted on/)).text!.match(/https?:\/\/\S+\/privacy\/cancel\S+/)![0],
    );
    expect((await fetch(cancel)).status).toBe(200);
    expect((await postForm('/v1/privacy/cancel', cancel)).status).toBe(200);
    await eventually(async () => expect((await show(requestId)).status).toBe('cancelled'));
    expect((await api('GET', '/v1/account', { token: fay.token })).status).toBe(200);
    expect((await postForm('/v1/privacy/cancel', cancel)).status).toBe(410);

    const gus = await signUp('gus');
    await sendMail(local, {
      from: email('gus'),
      replyTo: `attacker-${run}@evil.example`,
      to: 'privacy@omnapi.com',
      subject: 'x',
      text: 'Delete my account now.',
    });
    await mailMatching(local, email('gus'), /Confirm your privacy request/);
    // Whatever the letter's handling would send or start is done once the mail queue's consumer finished it.
    await queuesSettled(local);
    expect((await api('GET', '/v1/account', { token: gus.token })).status).toBe(200);
  }, 300_000);

  it("a suspended account's keys answer 403 at once (no key cache here), while its holder can still read their data and file a privacy request", async () => {
    const hal = await signUp('hal');
    expect((await ops(local, 'grant-credits', '--email', email('hal'), '--amount', '5', '--reason', 'e2e')).code).toBe(0);
    expect((await api('GET', '/v1/api/echo/before', { key: hal.key })).status).toBe(200);
    expect((await ops(local, 'suspend', '--email', email('hal'), '--reason', 'card testing')).code).toBe(0);
    const refused = await api('GET', '/v1/api/echo/during', { key: hal.key });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'account_suspended']);
    expect((await api('GET', '/v1/account', { token: hal.token })).status).toBe(200);
    expect((await api('POST', '/v1/privacy/requests', { token: hal.token, body: { type: 'access' } })).status).toBe(201);
    // The holder sees that staff suspended the account and why, never which of us (the audit trail tells ops).
    const security = await api('GET', '/v1/account/security-events', { token: hal.token });
    expect(security.body.events.find((e: { type: string }) => e.type === 'account_suspended')).toMatchObject({
      ip: 'omnapi',
      userAgent: 'OmnAPI staff',
      detail: { reason: 'card testing' },
    });
    const audit = await api('GET', '/v1/account/audit', { token: hal.token });
    expect(audit.body.events.find((e: { action: string }) => e.action === 'account.suspend')).toMatchObject({
      actor: { type: 'operator', id: 'omnapi-staff' },
      reason: 'card testing',
    });
    const seen = JSON.stringify([security.body, audit.body, (await api('GET', '/v1/account', { token: hal.token })).body]);
    for (const ours of [`ops:${os.userInfo().username}`, `local:${os.userInfo().username}`, os.hostname()])
      expect(seen).not.toContain(ours);
    expect((await ops(local, 'unsuspend', '--email', email('hal'), '--reason', 'cleared')).code).toBe(0);
    expect((await api('GET', '/v1/api/echo/after', { key: hal.key })).status).toBe(200);
  }, 300_000);

  it('left only items of types declared in lambdas/shared/items.ts, in every table', async () => {
    expect(await unrecognisedItems(dynamo)).toEqual([]);
  });
});
