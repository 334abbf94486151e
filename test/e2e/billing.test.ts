import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_SPECS } from '../../lambdas/shared/tables';
import {
  type CallOptions,
  callApi,
  eventually,
  type LocalProcess,
  localAws,
  SETUP_TIMEOUT_MS,
  SHORT_BATCHING_WINDOW,
  startLocalProcess,
} from '../helpers/local-process';
import { ops } from '../helpers/ops';
import { linkMailedTo, mailTo } from '../helpers/outbox';
import { StripeStandIn } from '../helpers/stripe-stand-in';
import { unrecognisedItems } from '../helpers/item-types';

const PASSWORD = 'correct horse battery staple';

describe('buying credits against npm start', () => {
  let local: LocalProcess;
  let stripe: StripeStandIn;
  let dynamo: DynamoDBDocumentClient;
  const run = Date.now().toString(36);
  const email = `buyer-${run}@example.org`;

  beforeAll(async () => {
    stripe = new StripeStandIn();
    const apiBase = await stripe.start();
    local = await startLocalProcess({ env: { ...SHORT_BATCHING_WINDOW, STRIPE_SECRET_KEY: 'sk_test_e2e', STRIPE_API_BASE: apiBase } });
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
    await stripe?.stop();
  });

  const api = (method: string, route: string, options?: CallOptions) => callApi(local.api, method, route, options);

  it('sign-up → checkout → signed purchase event → calls spend it → refund → ledger, balance and reconcile agree', async () => {
    await api('POST', '/v1/auth/signup', { body: { name: 'Buyer', email, password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, email)));
    const token = (await api('POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
    const key = (await api('POST', '/v1/keys', { token, body: { name: 'e2e' } })).body.secret as string;

    const packs = await api('GET', '/v1/billing/packs');
    expect(packs.body.packs.map((p: { id: string }) => p.id)).toEqual(['starter', 'growth', 'scale']);
    const checkout = await api('POST', '/v1/billing/checkout', { token, body: { pack: 'starter' } });
    expect(checkout.status).toBe(201);
    expect(checkout.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    expect(stripe.requests.find((r) => r.path === '/v1/checkout/sessions')!.params['metadata[pack]']).toBe('starter');
    expect((await api('POST', '/v1/billing/checkout', { token, body: { pack: 'nope' } })).body.error.code).toBe('unknown_pack');

    // Before any purchase: 402, saying how to buy.
    const broke = await api('GET', '/v1/api/echo/x', { key });
    expect(broke.status).toBe(402);
    expect(broke.body.error.message).toContain('/v1/billing/checkout');

    const bought = await ops(local, 'stripe-event', '--kind', 'checkout', '--email', email);
    expect(bought).toMatchObject({ code: 0, stdout: expect.stringContaining('→ HTTP 200') });
    expect((await api('GET', '/v1/billing/balance', { token })).body.credits).toBe('1000');
    await eventually(async () => {
      const receipt = (await mailTo(local.dataDir, email)).find((m) => /^Receipt/.test(m.subject ?? ''));
      if (!receipt) throw new Error('no receipt yet');
    });

    for (let i = 0; i < 5; i++) expect((await api('GET', `/v1/api/echo/call-${i}`, { key })).status).toBe(200);
    expect((await api('GET', '/v1/billing/balance', { token })).body.credits).toBe('995');

    const refunded = await ops(local, 'stripe-event', '--kind', 'refund', '--email', email, '--amount', '500');
    expect(refunded.code).toBe(0);
    expect((await api('GET', '/v1/billing/balance', { token })).body.credits).toBe('495');
    const ledger = (await api('GET', '/v1/billing/ledger', { token })).body.entries as { type: string; amount: string }[];
    expect(ledger.map((e) => [e.type, e.amount])).toEqual([
      ['clawback', '-500'],
      ['purchase', '1000'],
    ]);

    // The refund failed (a closed card): the money came back to us, and so do its 500 credits — once.
    const failed = await ops(local, 'stripe-event', '--kind', 'refund-failed', '--email', email);
    expect(failed).toMatchObject({ code: 0, stdout: expect.stringContaining('"outcome":"restored"') });
    expect((await api('GET', '/v1/billing/balance', { token })).body.credits).toBe('995');
    expect(((await api('GET', '/v1/billing/ledger', { token })).body.entries as { type: string; amount: string }[])[0]).toMatchObject({
      type: 'release',
      amount: '500',
    });

    // A dispute: the buyer sees it open with the credits it holds, then how it ended.
    expect((await api('GET', '/v1/billing/balance', { token })).body).toMatchObject({ heldMicro: 0, disputes: [] });
    expect((await ops(local, 'stripe-event', '--kind', 'dispute', '--email', email)).code).toBe(0);
    const disputed = (await api('GET', '/v1/billing/balance', { token })).body;
    expect(disputed.disputes).toEqual([
      expect.objectContaining({ status: 'open', pack: 'starter', amountMinor: 1000, currency: 'usd', disputeId: expect.any(String) }),
    ]);
    expect(disputed.heldMicro).toBeGreaterThan(0);
    expect((await ops(local, 'stripe-event', '--kind', 'dispute-won', '--email', email)).code).toBe(0);
    const decided = (await api('GET', '/v1/billing/balance', { token })).body;
    expect(decided).toMatchObject({ credits: '995', heldMicro: 0, disputes: [expect.objectContaining({ status: 'won' })] });

    // The worker records the five calls' charges a moment later; then every account reconciles.
    await eventually(
      async () => {
        const result = await ops(local, 'reconcile', '--email', email);
        if (result.code !== 0) throw new Error(result.stdout);
        expect(result.stdout).toContain('reconcile');
      },
      60_000,
      1_000,
    ); // the worker's batching window (shortened here), and time to spare
    expect((await ops(local, 'reconcile')).code).toBe(0);
  }, 300_000);

  it('stores no card data anywhere after the events that carried it', async () => {
    const found: string[] = [];
    for (const table of Object.keys(TABLE_SPECS)) {
      const { Items } = await dynamo.send(new ScanCommand({ TableName: table }));
      const text = JSON.stringify(Items ?? []);
      for (const needle of ['4242', 'Xt5EWLLDS7FJjR1c', 'visa', 'Market Street', '94105', 'last4', 'fingerprint']) {
        // As a token of its own: random ids (refunds, entries, events) may hold "4242" inside them.
        const token = new RegExp(`(^|[^A-Za-z0-9])${needle}([^A-Za-z0-9]|$)`).exec(text);
        if (token) found.push(`${table}: ${text.slice(Math.max(0, token.index - 40), token.index + 40)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('erases a paying customer everywhere, their Stripe customer included, on a deletion confirmed with the password', async () => {
    const leaver = `leaver-${run}@example.org`;
    await api('POST', '/v1/auth/signup', { body: { name: 'Leaver', email: leaver, password: PASSWORD } });
    await fetch(await eventually(() => linkMailedTo(local.dataDir, leaver)));
    const token = (await api('POST', '/v1/auth/login', { body: { email: leaver, password: PASSWORD } })).body.token as string;
    expect((await api('POST', '/v1/billing/checkout', { token, body: { pack: 'starter' } })).status).toBe(201);
    const customerId = [...stripe.customers.keys()].find((id) => stripe.customers.get(id)!.email === leaver)!;
    expect(customerId).toMatch(/^cus_/);
    expect((await ops(local, 'stripe-event', '--kind', 'checkout', '--email', leaver)).code).toBe(0);

    const deletion = await api('POST', '/v1/privacy/requests', { token, body: { type: 'deletion', password: PASSWORD } });
    expect(deletion.status).toBe(201);
    // Confirmed at once by the password: the cooling-off begins, announced with its cancel link.
    await eventually(
      async () => expect((await mailTo(local.dataDir, leaver)).some((m) => /will be deleted on/.test(m.subject ?? ''))).toBe(true),
      30_000,
    );
    expect((await ops(local, 'privacy', 'start-now', deletion.body.requestId)).code).toBe(0);
    await eventually(
      async () => {
        const shown = await ops(local, 'privacy', 'show', deletion.body.requestId);
        expect(shown.stdout).toMatch(/"status": "completed"/);
      },
      60_000,
      1_000,
    );
    expect(stripe.customers.has(customerId)).toBe(false);
    expect(stripe.requests.some((r) => r.method === 'DELETE' && r.path === `/v1/customers/${customerId}`)).toBe(true);
    const stored = JSON.stringify(
      await Promise.all(
        Object.keys(TABLE_SPECS).map((table) => dynamo.send(new ScanCommand({ TableName: table })).then((r) => r.Items ?? [])),
      ),
    );
    expect(stored).not.toContain(customerId);
    expect(stored).not.toContain(leaver);
  }, 300_000);

  it('left only items of types declared in lambdas/shared/items.ts, in every table', async () => {
    expect(await unrecognisedItems(dynamo)).toEqual([]);
  });
});
