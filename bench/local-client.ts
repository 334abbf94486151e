import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { apiCallOfLink } from '../lambdas/shared/console-links';

/** A running local platform: its API and its data folder (the outbox is read for mailed links). */
export interface ClientTarget {
  api: string;
  dataDir: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => Record<string, any>;
  ms: number;
}

export interface RequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** The loopback address to send from (127.0.0.0/8 is all this machine): per-address limits see a caller of its own. */
  from?: string;
}

export const PASSWORD = 'correct horse battery staple';

/**
 * What the adversarial and concurrency runs share: HTTP to the local API from a chosen loopback
 * address, every 5xx counted, mailed links read from the outbox, and verified, signed-in accounts.
 */
export class LocalClient {
  protected requests = 0;
  protected serverErrors: string[] = [];
  protected readonly run = Date.now().toString(36);
  private signups = 0;
  /** Outbox mails parsed so far, by file name: each file is parsed once however often the outbox is read. */
  private readonly mails = new Map<string, { to: string[]; subject: string; text: string }>();

  constructor(
    protected readonly target: ClientTarget,
    private readonly prefix: string,
  ) {}

  /** One HTTP request on a fresh connection. */
  request(method: string, route: string, options: RequestOptions = {}): Promise<Answer> {
    const url = new URL(route, this.target.api);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          localAddress: options.from,
          headers: { host: url.host, ...options.headers },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            this.requests += 1;
            if ((res.statusCode ?? 0) >= 500) this.serverErrors.push(`${method} ${route} → ${res.statusCode}: ${body.slice(0, 160)}`);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body), ms: Date.now() - started });
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(180_000, () => req.destroy(new Error(`${method} ${route}: no answer in 180 s`)));
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }

  protected json(method: string, route: string, body: unknown, headers: Record<string, string> = {}, from?: string) {
    return this.request(method, route, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, from });
  }

  /** The newest link mailed to `to` whose mail's subject matches `subject`. */
  protected async linkMailedTo(to: string, subject: RegExp): Promise<string> {
    const dir = path.join(this.target.dataDir, 'outbox');
    for (let attempt = 0; attempt < 600; attempt++) {
      for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        if (this.mails.has(file)) continue;
        const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
        const addresses = (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a?.value.map((v) => v.address ?? '') ?? []);
        this.mails.set(file, { to: addresses, subject: mail.subject ?? '', text: mail.text ?? '' });
      }
      const link = [...this.mails.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .filter(([, m]) => m.to.includes(to) && subject.test(m.subject))
        .map(([, m]) => m.text.match(/https?:\/\/\S+token=\S+/)?.[0])
        .filter(Boolean)
        .at(-1);
      if (link) return link;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail matching ${subject} reached ${to}`);
  }

  /** A verified account, signed in: its id, email and session token. */
  async account(label: string): Promise<{ accountId: string; email: string; token: string }> {
    const email = `${this.prefix}-${label}-${this.run}@example.org`;
    // Each account signs up from an address of its own, so reruns never meet the sign-up limit per address.
    const from = `127.1.${(this.run.charCodeAt(this.run.length - 1) + this.signups) % 250}.${1 + (this.signups++ % 250)}`;
    await this.json('POST', '/v1/auth/signup', { name: `${this.prefix} ${label}`, email, password: PASSWORD }, {}, from);
    await this.request('GET', apiCallOfLink(await this.linkMailedTo(email, /Confirm/))!);
    const token = (await this.json('POST', '/v1/auth/login', { email, password: PASSWORD }, {}, from)).json().token as string;
    const accountId = (await this.request('GET', '/v1/account', { headers: { authorization: `Bearer ${token}` } })).json()
      .accountId as string;
    return { accountId, email, token };
  }

  errors(): string[] {
    return this.serverErrors;
  }
}
