import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import Stripe from 'stripe';
import { escapeHtml } from '../lambdas/shared/http';
import { formatAmount } from '../lambdas/shared/money';

/** The local checkout pages, on the API's own port; not part of the deployed stack. */
const PAGE_PREFIX = '/_local/checkout/';
/**
 * The Stripe API paths the test mode answers on the API's port (the SDK has no base path to move them
 * under): none is a route of ours, and they answer only a test-mode key.
 */
const STRIPE_API_PATHS = /^\/v1\/(customers|checkout\/sessions|billing_portal\/sessions|charges|disputes)(\/|$)/;
/** Stripe expires an unpaid Checkout Session after 24 hours. */
const SESSION_SECONDS = 24 * 3600;

/** A Checkout Session as Stripe's API answers it (the fields billing and its webhook read). */
interface Session {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  customer: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  amount_total: number;
  currency: string;
  /** The line item's name, for the page. */
  product: string;
  success_url: string;
  cancel_url: string;
  url: string;
  created: number;
  expires_at: number;
}

const id = (prefix: string) => `${prefix}_test_local_${randomBytes(12).toString('hex')}`;

/**
 * Stripe's test mode, played by `npm start` when no STRIPE_SECRET_KEY is given: the billing functions'
 * Stripe SDK talks to the API's own address (customers, Checkout Sessions, the Customer Portal) as it
 * would to Stripe, and a Checkout Session's URL is a local page with Pay and Cancel. Pay completes the
 * purchase the way Stripe does: a `checkout.session.completed` event signed with the webhook secret,
 * posted to `/v1/webhooks/stripe`; the buyer is then sent to the session's success URL. Cancel expires
 * the session and sends the buyer to its cancel URL. Sessions are kept in the data folder.
 */
export class LocalStripeTestMode {
  private readonly sessions = new Map<string, Session>();
  private readonly customers = new Map<string, Record<string, unknown>>();
  private readonly file: string;
  private readonly signer = new Stripe('sk_test_local_signer');

  constructor(private readonly options: { apiUrl: string; webhookSecret: string; dataDir: string; log: (line: string) => void }) {
    this.file = path.join(options.dataDir, 'stripe-test-mode.json');
    if (fs.existsSync(this.file)) {
      const saved = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { sessions: Session[]; customers: Record<string, unknown>[] };
      for (const session of saved.sessions) this.sessions.set(session.id, session);
      for (const customer of saved.customers) this.customers.set(String(customer.id), customer);
    }
  }

  /** Whether a request is the test mode's (Stripe's API, or a checkout page). */
  serves(pathname: string): boolean {
    return pathname.startsWith(PAGE_PREFIX) || STRIPE_API_PATHS.test(pathname);
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse, pathname: string): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const params = Object.fromEntries(new URLSearchParams(body));
    const method = request.method ?? 'GET';
    try {
      if (STRIPE_API_PATHS.test(pathname))
        return this.api(response, method, pathname.slice('/v1/'.length), params, request.headers.authorization);
      if (pathname.startsWith(PAGE_PREFIX)) return await this.page(response, method, pathname.slice(PAGE_PREFIX.length));
    } finally {
      this.save();
    }
  }

  /** The Stripe API subset billing and the privacy workflow call, in Stripe's wire format. */
  private api(
    response: http.ServerResponse,
    method: string,
    route: string,
    params: Record<string, string>,
    authorization: string | undefined,
  ): void {
    if (!authorization?.startsWith('Bearer sk_test_'))
      return this.send(response, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided (test mode takes sk_test_ keys only)' },
      });
    if (method === 'POST' && route === 'customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        email: params.email,
        name: params.name,
        metadata: { accountId: params['metadata[accountId]'] },
      };
      this.customers.set(customer.id, customer);
      return this.send(response, 200, customer);
    }
    const customer = /^customers\/(\w+)$/.exec(route);
    if (method === 'DELETE' && customer) {
      if (!this.customers.delete(customer[1]!)) return this.missing(response, 'customer', customer[1]!);
      return this.send(response, 200, { id: customer[1], object: 'customer', deleted: true });
    }
    if (method === 'POST' && route === 'checkout/sessions') return this.send(response, 200, this.createSession(params));
    const session = /^checkout\/sessions\/(\w+)(\/expire)?$/.exec(route);
    if (session) {
      const found = this.sessions.get(session[1]!);
      if (!found) return this.missing(response, 'checkout.session', session[1]!);
      if (method === 'POST' && session[2]) {
        if (found.status !== 'open')
          return this.send(response, 400, {
            error: { type: 'invalid_request_error', message: `Only open sessions can be expired; this one is ${found.status}` },
          });
        found.status = 'expired';
      }
      return this.send(response, 200, this.expired(found));
    }
    if (method === 'POST' && route === 'billing_portal/sessions') {
      return this.send(response, 200, {
        id: id('bps'),
        object: 'billing_portal.session',
        url: params.return_url,
        customer: params.customer,
      });
    }
    // Charges and disputes are made only by the events `ops stripe-event` signs, never here: none is known by id, and lists are empty.
    const charge = /^(charges|disputes)(?:\/(\w+))?$/.exec(route);
    if (method === 'GET' && charge)
      return charge[2]
        ? this.missing(response, charge[1] === 'charges' ? 'charge' : 'dispute', charge[2])
        : this.send(response, 200, { object: 'list', url: `/v1/${charge[1]}`, has_more: false, data: [] });
    return this.send(response, 404, {
      error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: /v1/${route})` },
    });
  }

  private createSession(params: Record<string, string>): Session {
    const sessionId = id('cs');
    const now = Math.floor(Date.now() / 1000);
    const session: Session = {
      id: sessionId,
      object: 'checkout.session',
      mode: params.mode ?? 'payment',
      status: 'open',
      payment_status: 'unpaid',
      customer: params.customer ?? null,
      client_reference_id: params.client_reference_id ?? null,
      metadata: Object.fromEntries(
        Object.entries(params).flatMap(([k, v]) => (/^metadata\[(\w+)\]$/.exec(k) ? [[/^metadata\[(\w+)\]$/.exec(k)![1]!, v]] : [])),
      ),
      payment_intent: null,
      amount_total: Number(params['line_items[0][price_data][unit_amount]'] ?? 0) * Number(params['line_items[0][quantity]'] ?? 1),
      currency: params['line_items[0][price_data][currency]'] ?? 'usd',
      product: params['line_items[0][price_data][product_data][name]'] ?? 'Credits',
      success_url: params.success_url ?? '',
      cancel_url: params.cancel_url ?? '',
      url: `${this.options.apiUrl}${PAGE_PREFIX}${sessionId}`,
      created: now,
      expires_at: now + SESSION_SECONDS,
    };
    this.sessions.set(sessionId, session);
    return session;
  }

  /** The checkout page (Pay, Cancel) and its two buttons. */
  private async page(response: http.ServerResponse, method: string, route: string): Promise<void> {
    const [sessionId, action] = route.split('/');
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!session) return this.html(response, 404, 'No such checkout', '<p>This test checkout does not exist.</p>');
    this.expired(session);
    if (method === 'GET' && !action) {
      if (session.status !== 'open')
        return this.html(response, 410, 'This checkout is closed', `<p>It is ${escapeHtml(session.status)}.</p>`);
      const amount = formatAmount(session.amount_total, session.currency);
      return this.html(
        response,
        200,
        'Test checkout',
        `<p><strong>Local test mode</strong> — no card, no money: this page stands in for Stripe Checkout.</p>` +
          `<p>${escapeHtml(session.product)}: <strong>${escapeHtml(amount)}</strong></p>` +
          `<form method="post" action="${PAGE_PREFIX}${session.id}/pay"><button type="submit">Pay ${escapeHtml(amount)}</button></form>` +
          `<form method="post" action="${PAGE_PREFIX}${session.id}/cancel"><button type="submit">Cancel</button></form>`,
      );
    }
    if (method === 'POST' && action === 'pay') {
      if (session.status !== 'open')
        return this.html(response, 409, 'This checkout is closed', `<p>It is ${escapeHtml(session.status)}.</p>`);
      session.status = 'complete';
      session.payment_status = 'paid';
      session.payment_intent = id('pi');
      const delivered = await this.deliver('checkout.session.completed', session);
      if (!delivered) {
        Object.assign(session, { status: 'open', payment_status: 'unpaid', payment_intent: null });
        return this.html(response, 502, 'The webhook refused the payment', '<p>Nothing was credited; see the runtime log.</p>');
      }
      return this.redirect(response, session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id));
    }
    if (method === 'POST' && action === 'cancel') {
      if (session.status === 'open') session.status = 'expired';
      return this.redirect(response, session.cancel_url.replace('{CHECKOUT_SESSION_ID}', session.id));
    }
    return this.html(response, 405, 'Not here', '<p>Use the buttons of the checkout page.</p>');
  }

  /** Posts a signed event to the webhook, as Stripe does; true when it answered 2xx. */
  private async deliver(type: string, session: Session): Promise<boolean> {
    const { product: _product, url: _url, ...object } = session;
    const payload = JSON.stringify({
      id: `evt_test_local_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object },
    });
    const signature = this.signer.webhooks.generateTestHeaderString({ payload, secret: this.options.webhookSecret });
    const answer = await fetch(`${this.options.apiUrl}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    this.options.log(`stripe test mode: ${type} for ${session.id} → webhook ${answer.status}`);
    return answer.ok;
  }

  /** An open session past its expiry is expired, as Stripe would have it. */
  private expired(session: Session): Session {
    if (session.status === 'open' && session.expires_at <= Date.now() / 1000) session.status = 'expired';
    return session;
  }

  private missing(response: http.ServerResponse, kind: string, what: string): void {
    this.send(response, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${what}'` } });
  }

  private send(response: http.ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
    response.end(JSON.stringify(body));
  }

  private html(response: http.ServerResponse, status: number, title: string, body: string): void {
    response.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'cache-control': 'no-store',
    });
    response.end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
        `<body style="font-family:sans-serif;max-width:32em;margin:3em auto;line-height:1.5"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
  }

  private redirect(response: http.ServerResponse, location: string): void {
    response.writeHead(303, { location, 'cache-control': 'no-store' });
    response.end();
  }

  private save(): void {
    fs.writeFileSync(this.file, JSON.stringify({ sessions: [...this.sessions.values()], customers: [...this.customers.values()] }));
  }
}
