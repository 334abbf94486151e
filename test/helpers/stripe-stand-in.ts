import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  authorization?: string;
  /** The form body, flattened as Stripe's SDK encodes it: `metadata[accountId]` → value. */
  params: Record<string, string>;
}

/**
 * A local stand-in for the few Stripe endpoints billing calls — customers, Checkout Sessions, the
 * Customer Portal, customer deletion — speaking Stripe's wire format (form-encoded requests, JSON
 * answers, idempotency keys replayed), and recording every request for assertions.
 */
export class StripeStandIn {
  readonly requests: StandInRequest[] = [];
  readonly customers = new Map<string, Record<string, unknown>>();
  /** Checkout Sessions made, by id; a test moves one on (paid, expired) by changing it here. */
  readonly sessions = new Map<string, Record<string, unknown>>();
  /** Charges and disputes as Stripe holds them, by id: a test puts them here (Stripe's shape, `payment_intent` included). */
  readonly charges = new Map<string, Record<string, unknown>>();
  readonly disputes = new Map<string, Record<string, unknown>>();
  private readonly replays = new Map<string, { status: number; body: unknown }>();
  private server?: http.Server;
  /** The next requests answer with this error status (e.g. 500 to test outages). */
  failNext: number[] = [];

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const query = request.url!.includes('?') ? request.url!.slice(request.url!.indexOf('?') + 1) : '';
        const params = Object.fromEntries([...new URLSearchParams(query), ...new URLSearchParams(Buffer.concat(chunks).toString('utf8'))]);
        const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
        const recorded: StandInRequest = {
          method: request.method!,
          path: request.url!.split('?')[0]!,
          idempotencyKey,
          authorization: request.headers.authorization,
          params,
        };
        this.requests.push(recorded);
        const replay = idempotencyKey ? this.replays.get(`${recorded.method} ${recorded.path} ${idempotencyKey}`) : undefined;
        const answer = replay ?? this.answer(recorded);
        if (idempotencyKey && !replay && answer.status < 500)
          this.replays.set(`${recorded.method} ${recorded.path} ${idempotencyKey}`, answer);
        response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private answer(request: StandInRequest): { status: number; body: unknown } {
    const failure = this.failNext.shift();
    if (failure) return { status: failure, body: { error: { type: 'api_error', message: 'Stand-in failure' } } };
    const id = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`;
    if (request.method === 'POST' && request.path === '/v1/customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        email: request.params.email,
        name: request.params.name,
        metadata: { accountId: request.params['metadata[accountId]'] },
      };
      this.customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (request.method === 'POST' && request.path === '/v1/checkout/sessions') {
      const sessionId = id('cs');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        mode: request.params.mode,
        status: 'open',
        payment_status: 'unpaid',
        payment_intent: null,
        metadata: { accountId: request.params['metadata[accountId]'], pack: request.params['metadata[pack]'] },
        amount_total: Number(request.params['line_items[0][price_data][unit_amount]']),
        currency: request.params['line_items[0][price_data][currency]'],
        expires_at: Math.floor(Date.now() / 1000) + 24 * 3600,
      };
      this.sessions.set(sessionId, session);
      return { status: 200, body: session };
    }
    const retrieved = request.path.match(/^\/v1\/checkout\/sessions\/(\w+)(\/expire)?$/);
    if (retrieved) {
      const session = this.sessions.get(retrieved[1]!);
      if (!session)
        return {
          status: 404,
          body: {
            error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such checkout.session: '${retrieved[1]}'` },
          },
        };
      if (request.method === 'POST' && retrieved[2]) session.status = 'expired';
      return { status: 200, body: session };
    }
    if (request.method === 'POST' && request.path === '/v1/billing_portal/sessions') {
      return {
        status: 200,
        body: { id: id('bps'), object: 'billing_portal.session', url: `https://billing.stripe.test/p/session/${id('x')}` },
      };
    }
    const listed = request.path.match(/^\/v1\/(charges|disputes)(?:\/([\w]+))?$/);
    if (request.method === 'GET' && listed) {
      const objects = listed[1] === 'charges' ? this.charges : this.disputes;
      if (listed[2]) {
        const object = objects.get(listed[2]);
        if (!object)
          return {
            status: 404,
            body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${listed[1]}: '${listed[2]}'` } },
          };
        return { status: 200, body: object };
      }
      const data = [...objects.values()].filter(
        (o) => !request.params.payment_intent || o.payment_intent === request.params.payment_intent,
      );
      return { status: 200, body: { object: 'list', url: request.path, has_more: false, data } };
    }
    const deletion = request.path.match(/^\/v1\/customers\/([\w]+)$/);
    if (request.method === 'DELETE' && deletion) {
      if (!this.customers.delete(deletion[1]!))
        return {
          status: 404,
          body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${deletion[1]}'` } },
        };
      return { status: 200, body: { id: deletion[1], object: 'customer', deleted: true } };
    }
    return {
      status: 404,
      body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${request.method}: ${request.path})` } },
    };
  }
}
