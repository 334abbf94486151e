import { BatchWriteCommand, DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditTrail, FILTER_READ_BUDGET } from '../../../lambdas/shared/adapters/dynamodb-audit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AUDIT_ACTIONS,
  type AuditEvent,
  auditRetentionDaysOf,
  canonical,
  GENESIS,
  streamEvents,
  verifyChain,
} from '../../../lambdas/shared/audit';
import { json } from '../../../lambdas/shared/http';
import { httpRoutes, route } from '../../../lambdas/shared/middleware/http-handler';
import type { RouteSpec } from '../../../lambdas/shared/routes';
import { ROUTE_MANIFESTS } from '../../../lib/routes';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { authenticator } from '../../../lambdas/shared/auth/authenticator';

const ROOT = path.resolve(__dirname, '../../..');

describe('the audit trail', () => {
  let dynamo: LocalDynamo;
  let trail: DynamoDbAuditTrail;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    trail = new DynamoDbAuditTrail(dynamo.client, 'auditEvents');
  });
  afterAll(() => dynamo.stop());

  const at = '2026-12-05T12:00:00.000Z';
  const all = async (stream: string) => {
    const events: AuditEvent[] = [];
    for await (const event of streamEvents(trail, stream)) events.push(event);
    return events;
  };

  it('chains twenty events written at once into one unbroken sequence', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        trail.record({
          actor: { type: 'operator', id: 'ops-user' },
          action: 'credits.grant',
          targets: [{ type: 'account', id: 'acc_chain' }],
          reason: `grant ${i}`,
          at,
        }),
      ),
    );
    const events = await all('account#acc_chain');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(verifyChain(events)).toEqual({ checked: 20 });
  });

  it('finds an event altered in the table, and one removed from the middle', async () => {
    for (let i = 0; i < 4; i++)
      await trail.record({
        actor: { type: 'account', id: 'acc_t' },
        action: 'key.create',
        targets: [{ type: 'account', id: 'acc_t' }],
        at,
      });
    await dynamo.client.send(
      new UpdateCommand({
        TableName: 'auditEvents',
        Key: { pk: 'STREAM#account#acc_t', sk: 'E#000000000003' },
        UpdateExpression: 'SET #a = :a',
        ExpressionAttributeNames: { '#a': 'action' },
        ExpressionAttributeValues: { ':a': 'key.revoke' },
      }),
    );
    expect(verifyChain(await all('account#acc_t')).firstBreak).toMatchObject({ seq: 3, problem: 'hash' });
    const events = await all('account#acc_t');
    expect(verifyChain([events[0]!, events[1]!, events[3]!]).firstBreak).toMatchObject({ seq: 4, problem: 'gap' });
  });

  it('finds the oldest events deleted while their retention still kept them, but not ones the TTL expired', async () => {
    const writtenAt = new Date();
    const recent = new DynamoDbAuditTrail(dynamo.client, 'auditEvents', 30);
    for (let i = 0; i < 3; i++)
      await recent.record({
        actor: { type: 'account', id: 'acc_head' },
        action: 'key.create',
        targets: [{ type: 'account', id: 'acc_head' }],
        at: writtenAt.toISOString(),
      });
    await dynamo.client.send(new DeleteCommand({ TableName: 'auditEvents', Key: { pk: 'STREAM#account#acc_head', sk: 'E#000000000001' } }));
    const events = await all('account#acc_head');

    expect(verifyChain(events, writtenAt).firstBreak).toMatchObject({ seq: 2, problem: 'truncated' });
    // Thirty-one days later the first event's TTL may have taken it: the chain starts where it is kept.
    expect(verifyChain(events, new Date(writtenAt.getTime() + 31 * 86_400_000))).toEqual({ checked: 2 });
  });

  it("puts what concerns an account in its stream, and the rest in the operators' stream", async () => {
    const account = await trail.record({
      actor: { type: 'operator', id: 'o' },
      action: 'plan.set',
      targets: [{ type: 'account', id: 'acc_s' }],
      at,
    });
    const ops = await trail.record({
      actor: { type: 'operator', id: 'o' },
      action: 'usage.replay',
      targets: [{ type: 'log_group', id: 'g' }],
      at,
    });
    expect([account.stream, ops.stream]).toEqual(['account#acc_s', 'ops']);
  });

  it('pages a stream by the cursors it gave, and refuses anything else as a cursor rather than starting over', async () => {
    for (const action of ['plan.set', 'credits.grant', 'account.suspend'] as const)
      await trail.record({ actor: { type: 'operator', id: 'o' }, action, targets: [{ type: 'account', id: 'acc_pages' }], at });
    const first = await trail.page('account#acc_pages', { newestFirst: true, limit: 2 });
    expect(first.events.map((e) => e.action)).toEqual(['account.suspend', 'credits.grant']);
    const second = await trail.page('account#acc_pages', { newestFirst: true, limit: 2, cursor: first.nextCursor });
    expect(second.events.map((e) => e.action)).toEqual(['plan.set']);
    // Made up, or another table's key shape: a 400 for the caller, never the first page again.
    for (const cursor of ['garbage', 'STREAM#ops', 'L#2026-12-05T12:00', ''])
      await expect(trail.page('account#acc_pages', { newestFirst: true, limit: 2, cursor })).rejects.toMatchObject({
        name: 'ValidationError',
        details: [{ path: 'query.cursor' }],
      });
  });

  it('filters a page by kind of action, actor and time, paging on with the cursor until every match is seen once', async () => {
    const stream = 'account#acc_filter';
    const minute = (m: number) => new Date(Date.UTC(2026, 11, 5, 12, m)).toISOString();
    const actions = ['key.create', 'plan.set', 'key.roll', 'credits.grant', 'key.revoke', 'key.create', 'plan.set'] as const;
    for (const [i, action] of actions.entries())
      await trail.record({
        actor: action.startsWith('key.') ? { type: 'account', id: 'acc_filter' } : { type: 'operator', id: 'o' },
        action,
        targets: [{ type: 'account', id: 'acc_filter' }],
        at: minute(i),
      });
    const all = async (filter: Parameters<typeof trail.page>[1]['filter']) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await trail.page(stream, { newestFirst: true, limit: 2, cursor, filter });
        expect(page.events.length).toBeLessThanOrEqual(2);
        seen.push(...page.events.map((e) => `${e.seq}:${e.action}`));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };

    expect(await all({ action: 'key' })).toEqual(['6:key.create', '5:key.revoke', '3:key.roll', '1:key.create']);
    expect(await all({ action: 'key.create' })).toEqual(['6:key.create', '1:key.create']);
    expect(await all({ actorType: 'operator' })).toEqual(['7:plan.set', '4:credits.grant', '2:plan.set']);
    expect(await all({ from: minute(2), to: minute(4) })).toEqual(['5:key.revoke', '4:credits.grant', '3:key.roll']);
    expect(await all({ action: 'key', actorType: 'operator' })).toEqual([]);
    // A kind is the word before the dot, never a prefix of another word.
    expect(await all({ action: 'ke' })).toEqual([]);
  });

  it('answers a filtered page after a bounded read, with a cursor to go on, when matches are rare', async () => {
    const stream = 'account#acc_sparse';
    const count = FILTER_READ_BUDGET + 150;
    // Written straight to the table: the rare match is the oldest event, far past one page's read budget.
    for (let seq = 1; seq <= count; seq += 25)
      await dynamo.client.send(
        new BatchWriteCommand({
          RequestItems: {
            auditEvents: Array.from({ length: Math.min(25, count - seq + 1) }, (_, i) => ({
              PutRequest: {
                Item: {
                  pk: `STREAM#${stream}`,
                  sk: `E#${String(seq + i).padStart(12, '0')}`,
                  eventId: `aud_${seq + i}`,
                  stream,
                  seq: seq + i,
                  action: seq + i === 1 ? 'key.revoke' : 'preferences.set',
                  actor: { type: 'account', id: 'acc_sparse' },
                  targets: [{ type: 'account', id: 'acc_sparse' }],
                  at: at,
                  prevHash: GENESIS,
                  hash: GENESIS,
                },
              },
            })),
          },
        }),
      );
    const first = await trail.page(stream, { newestFirst: true, limit: 10, filter: { action: 'key' } });
    expect(first).toEqual({ events: [], nextCursor: expect.stringMatching(/^E#\d{12}$/) });
    const second = await trail.page(stream, { newestFirst: true, limit: 10, cursor: first.nextCursor, filter: { action: 'key' } });
    expect(second.events.map((e) => e.seq)).toEqual([1]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('keeps a page of large events within what one answer can carry, filtered or not, and pages on to every one of them', async () => {
    const stream = 'account#acc_large';
    for (let i = 0; i < 8; i++)
      await trail.record({
        actor: { type: 'operator', id: 'o' },
        action: 'account.update',
        targets: [{ type: 'account', id: 'acc_large' }],
        change: { after: { bio: String(i).repeat(350_000) } },
        at,
      });
    for (const filter of [undefined, { action: 'account' }]) {
      const seqs: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await trail.page(stream, { newestFirst: true, limit: 100, cursor, filter });
        // Lambda answers at most 6 MB; one DynamoDB query reads at most 1 MB.
        expect(JSON.stringify(page).length).toBeLessThan(1_500_000);
        seqs.push(...page.events.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seqs).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    }
  }, 60_000);

  it('expires each event the retention it was written with after it happened', async () => {
    const kept = new DynamoDbAuditTrail(dynamo.client, 'auditEvents', 30);
    await kept.record({ actor: { type: 'operator', id: 'o' }, action: 'plan.set', targets: [{ type: 'account', id: 'acc_ttl' }], at });
    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: 'auditEvents', Key: { pk: 'STREAM#account#acc_ttl', sk: 'E#000000000001' } }),
    );
    expect(Item?.expiresAt).toBe(Date.parse(at) / 1000 + 30 * 86_400);
    expect(auditRetentionDaysOf({ AUDIT_RETENTION_DAYS: '730' })).toBe(730);
    expect(auditRetentionDaysOf({})).toBe(400);
  });

  it('hashes the same event the same way whatever the order of its keys', () => {
    expect(canonical({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('writes one event for a successful call of an audited route, none for a refused one', async () => {
    const spec = {
      method: 'POST',
      path: '/v1/things/{id}',
      handler: 'x',
      auth: 'session',
      summary: 's',
      responses: {},
      errors: [409],
      audit: { action: 'key.revoke', target: 'key' },
    } satisfies RouteSpec;
    let ok = true;
    const handler = httpRoutes(
      route(spec, async () => (ok ? json(204) : Promise.reject(Object.assign(new Error('no'), { name: 'X' }))), {
        authenticate: authenticator('session', async () => ({ accountId: 'acc_route', sessionId: 'ses_1' })),
        auditTrail: trail,
      }),
    );
    const call = () =>
      handler(
        httpEvent({
          method: 'POST',
          path: '/v1/things/key_1',
          pathParameters: { id: 'key_1' },
          headers: { authorization: 'Bearer omn_sess_x' },
        }),
        lambdaContext,
      );
    expect((await call()).statusCode).toBe(204);
    ok = false;
    expect((await call()).statusCode).toBe(500);
    const events = await all('account#acc_route');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'key.revoke',
      actor: { type: 'account', id: 'acc_route', via: 'session:ses_1' },
      targets: [
        { type: 'account', id: 'acc_route' },
        { type: 'key', id: 'key_1' },
      ],
      context: { ip: '203.0.113.7', requestId: 'req-1' },
    });
  });
  it('answers the action it did before the time is up when its audit event cannot get in, and stops trying', async () => {
    const spec = {
      method: 'POST',
      path: '/v1/things/{id}',
      handler: 'x',
      auth: 'session',
      summary: 's',
      responses: {},
      errors: [],
      audit: { action: 'key.revoke', target: 'key' },
    } satisfies RouteSpec;
    // A stream always moving (hundreds of writers at once, or a store slowed down): every append is refused, slowly.
    let attemptsAfterGivingUp = 0;
    let gaveUp = false;
    const crowded = {
      record: async (_event: unknown, options?: { signal?: AbortSignal }) => {
        options?.signal?.addEventListener('abort', () => void (gaveUp = true));
        for (;;) {
          options?.signal?.throwIfAborted();
          if (gaveUp) attemptsAfterGivingUp++;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      page: trail.page.bind(trail),
    };
    const handler = httpRoutes(
      route(spec, async () => json(204), {
        authenticate: authenticator('session', async () => ({ accountId: 'acc_crowded', sessionId: 'ses_1' })),
        auditTrail: crowded,
      }),
    );
    const started = Date.now();
    // Two seconds left in the invocation: without a bound, the append would outlast them and the action would answer 500.
    const answer = await handler(
      httpEvent({
        method: 'POST',
        path: '/v1/things/key_1',
        pathParameters: { id: 'key_1' },
        headers: { authorization: 'Bearer omn_sess_x' },
      }),
      { ...lambdaContext, getRemainingTimeInMillis: () => Math.max(0, 2_000 - (Date.now() - started)) },
    );
    expect(answer.statusCode).toBe(204);
    expect(gaveUp).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attemptsAfterGivingUp).toBe(0);
  });

  it('stops appending once told to, without writing the event', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      trail.record(
        { actor: { type: 'operator', id: 'ops' }, action: 'credits.grant', targets: [{ type: 'account', id: 'acc_stopped' }], at },
        { signal: controller.signal },
      ),
    ).rejects.toThrow();
    expect(await all('account#acc_stopped')).toEqual([]);
  });

  it("records a public link route's event for the account the logic recognised, and nothing for a neutral answer", async () => {
    const spec = {
      method: 'POST',
      path: '/v1/links/confirm',
      handler: 'x',
      auth: 'public',
      summary: 's',
      responses: {},
      errors: [],
      audit: { action: 'privacy.confirm' },
    } satisfies RouteSpec;
    let recognised: string | undefined = 'acc_link';
    const handler = httpRoutes(
      route(
        spec,
        async (event) => {
          if (recognised)
            event.audit = {
              by: { accountId: recognised, via: 'link:privacy_confirm' },
              targets: [{ type: 'privacy_request', id: 'prq_1' }],
            };
          return json(200, {});
        },
        { auditTrail: trail },
      ),
    );
    const call = () => handler(httpEvent({ method: 'POST', path: '/v1/links/confirm' }), lambdaContext);
    expect((await call()).statusCode).toBe(200);
    recognised = undefined;
    expect((await call()).statusCode).toBe(200);

    expect(await all('account#acc_link')).toEqual([
      expect.objectContaining({
        action: 'privacy.confirm',
        actor: { type: 'account', id: 'acc_link', via: 'link:privacy_confirm' },
        targets: [
          { type: 'account', id: 'acc_link' },
          { type: 'privacy_request', id: 'prq_1' },
        ],
      }),
    ]);
    expect((await all('ops')).filter((e) => e.action === 'privacy.confirm')).toEqual([]);
  });
});

describe('every state-changing route', () => {
  const routes = Object.values(ROUTE_MANIFESTS).flatMap((manifest) => Object.values(manifest as Record<string, RouteSpec>));
  const writes = routes.filter((spec) => spec.method !== 'GET');

  it.each(writes.filter((spec) => spec.auth === 'session').map((spec) => [`${spec.method} ${spec.path}`, spec] as const))(
    '%s names the audit event it writes',
    (_name, spec) => {
      expect(spec.audit?.action).toEqual(expect.any(String));
    },
  );

  // Public link routes act for an account too (a privacy confirmation, a cancelled deletion): each says what it writes, or why nothing.
  it.each(writes.map((spec) => [`${spec.method} ${spec.path} (${spec.auth})`, spec] as const))(
    '%s names its audit event or why it writes none',
    (_name, spec) => {
      expect({ audit: spec.audit?.action, unaudited: spec.unaudited }).toEqual(
        spec.audit ? { audit: expect.any(String), unaudited: undefined } : { audit: undefined, unaudited: expect.stringMatching(/\w{3}/) },
      );
    },
  );

  const sources = ['lambdas', 'scripts']
    .flatMap((dir) => (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]).map((f) => path.join(ROOT, dir, f)))
    .filter((f) => f.endsWith('.ts') && f !== path.join(ROOT, 'lambdas/shared/audit.ts'))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  it.each([...AUDIT_ACTIONS])('the action %s is written by a route, a link or an ops command', (action) => {
    expect({ action, written: sources.includes(`'${action}'`) }).toEqual({ action, written: true });
  });
});
