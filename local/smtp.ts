import { randomBytes } from 'node:crypto';
import type { SESEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { LocalReceiptRule } from './assembly';

/** SES accepts messages up to 40 MB. */
const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

export interface SmtpDeps {
  rules: LocalReceiptRule[];
  /** SES writes as itself (ses.amazonaws.com) for the rule: the bucket policy decides. */
  putObject(bucket: string, key: string, body: Buffer, ruleArn?: string): Promise<void>;
  /** `Event` invocations return at once; Lambda retries and dead-letters them. */
  invoke(functionId: string, event: SESEvent, invocationType: string, ruleArn?: string): Promise<unknown>;
  log(line: string): void;
}

/** Which rule takes a recipient: an exact address, a domain, or (no recipients) everything. */
export function ruleFor(rules: LocalReceiptRule[], recipient: string): LocalReceiptRule | undefined {
  const address = recipient.toLowerCase();
  const domain = address.split('@')[1] ?? '';
  return rules.find(
    (rule) =>
      rule.recipients.length === 0 ||
      rule.recipients.some((r) => r === address || r === domain || (r.startsWith('.') && domain.endsWith(r))),
  );
}

/**
 * The local SES inbound endpoint: an SMTP listener that accepts mail for the receipt rules' recipients,
 * then runs the rule's actions in order — store the raw message in S3, invoke the Lambda function with
 * the event SES would send.
 */
export function createSmtpServer(deps: SmtpDeps): SMTPServer {
  return new SMTPServer({
    name: 'inbound-smtp.omnapi.local',
    banner: 'OmnAPI local SES receiving',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!ruleFor(deps.rules, address.address)) {
        return callback(Object.assign(new Error(`Mailbox unavailable: ${address.address}`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('Message exceeds 40 MB'), { responseCode: 552 }));
        }
        const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        receive(deps, Buffer.concat(chunks), from, recipients).then(
          (messageId) => callback(null, `Ok: queued as ${messageId}`),
          (error: Error) => {
            deps.log(`inbound mail failed: ${error.message}`);
            callback(Object.assign(new Error('Local processing failed'), { responseCode: 451 }));
          },
        );
      });
    },
  });
}

/**
 * SES's verdicts, taken from the message's own `Authentication-Results` and `X-Spam-Flag` headers
 * when it has them (so tests and demos can send forged or spam mail), GRAY/PASS otherwise: the local
 * listener checks no SPF, DKIM or DMARC itself.
 */
export function verdictsOf(headers: Map<string, unknown>) {
  const results = String((headers.get('authentication-results') as string | undefined) ?? '').toLowerCase();
  const verdict = (name: string) => {
    const value = new RegExp(`\\b${name}=(\\w+)`).exec(results)?.[1];
    return { status: value === 'pass' ? 'PASS' : value === 'fail' || value === 'softfail' ? 'FAIL' : 'GRAY' };
  };
  const spam = String(headers.get('x-spam-flag') ?? '').toLowerCase() === 'yes';
  return {
    spfVerdict: verdict('spf'),
    dkimVerdict: verdict('dkim'),
    dmarcVerdict: verdict('dmarc'),
    spamVerdict: { status: spam ? 'FAIL' : 'PASS' },
    virusVerdict: { status: 'PASS' },
    dmarcPolicy: 'none',
  };
}

async function receive(deps: SmtpDeps, raw: Buffer, source: string, recipients: string[]): Promise<string> {
  const messageId = randomBytes(20).toString('hex');
  // SES stores and forwards whatever arrives; only its summary headers come from parsing, so a message
  // that does not parse is still received (the function decides what to do with it).
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true }).catch(
    () =>
      ({
        headers: new Map(),
        headerLines: [],
        from: undefined,
        to: undefined,
        date: undefined,
        messageId: undefined,
        subject: undefined,
      }) as unknown as Awaited<ReturnType<typeof simpleParser>>,
  );
  const timestamp = new Date().toISOString();
  // SES runs the first matching rule once per message, with the recipients it matched.
  const byRule = new Map<LocalReceiptRule, string[]>();
  for (const recipient of recipients) {
    const rule = ruleFor(deps.rules, recipient);
    if (rule) byRule.set(rule, [...(byRule.get(rule) ?? []), recipient]);
  }
  const addresses = (value: typeof parsed.to) =>
    (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

  for (const [rule, matched] of byRule) {
    for (const action of rule.actions) {
      if (action.type === 's3') {
        await deps.putObject(action.bucket, `${action.prefix}${messageId}`, raw, rule.arn);
        continue;
      }
      const event: SESEvent = {
        Records: [
          {
            eventSource: 'aws:ses',
            eventVersion: '1.0',
            ses: {
              mail: {
                timestamp,
                source,
                messageId,
                destination: recipients,
                headersTruncated: false,
                headers: parsed.headerLines.map((h) => ({
                  name: h.line.split(':')[0]!,
                  value: h.line.slice(h.line.indexOf(':') + 1).trim(),
                })),
                commonHeaders: {
                  returnPath: source,
                  from: addresses(parsed.from),
                  to: addresses(parsed.to),
                  date: (parsed.date ?? new Date()).toUTCString(),
                  messageId: parsed.messageId ?? `<${messageId}@local>`,
                  subject: parsed.subject ?? '',
                },
              },
              receipt: {
                timestamp,
                processingTimeMillis: 0,
                recipients: matched,
                ...verdictsOf(parsed.headers),
                action: { type: 'Lambda', functionArn: action.functionId, invocationType: action.invocationType },
              },
            },
          },
        ],
      } as SESEvent;
      await deps.invoke(action.functionId, event, action.invocationType, rule.arn);
    }
  }
  deps.log(`mail ${messageId} from ${source || '<>'} to ${recipients.join(', ')}`);
  return messageId;
}
