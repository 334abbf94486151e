import { privacyLinks } from './links';
import { createHash } from 'node:crypto';
import { newId } from '../../shared/crypto';
import type { PrivacyMailReceived } from '../../shared/privacy-mail';
import { sendOnce } from '../../shared/mailer';
import { fixedWindow } from '../../shared/throttle';
import {
  PasswordAttemptsError,
  PasswordRejectedError,
  PrivacyFloodError,
  PrivacyRequestOpeningError,
  UnclearMailClosedError,
} from '../errors';
import { type MailBody, messagesFor, type Messages } from '../messages';
import { newTextOf, readMail, requestTypesOf } from './classify';
import {
  DEFAULT_DEADLINES,
  deadlineFor,
  FINAL_STATUSES,
  letterOf,
  type OpenSlot,
  openSlotOf,
  type PrivacyRequest,
  REQUEST_TYPES,
  type RequestType,
} from './model';
import { RESTRICTION_NOTE } from './objection';
import type { PrivacyDeps, Subject } from './ports';
import { COUNTERS } from '../../shared/items';
import { normaliseEmail } from '../../shared/email-address';

/**
 * Requests one sender address, and one account, may open in a day; past that they join or wait. Only
 * mail that asks for a right counts against its sender, so forged chatter cannot use up the limit.
 */
export const FLOOD_LIMITS = { perSender: 10, perAccount: 10, windowSeconds: 86_400 };

/** Passwords one account may try, to confirm an erasure through the API, in a quarter of an hour. */
export const PASSWORD_ATTEMPTS = { perAccount: 5, windowSeconds: 900 };

/** Mails a request's confirmation link again (`ConfirmationMail.resend`). */
export interface LinkResender {
  resend(requestId: string): Promise<boolean>;
}

export type IntakeOutcome = 'opened' | 'joined' | 'no_account' | 'help_sent' | 'throttled' | 'duplicate' | 'automatic_reply';

const DAY = 86_400_000;

/** A request id derived from the received message, so a redelivered mail opens nothing new. */
export const requestIdForMessage = (messageId: string) => `prq_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`;

/**
 * Opens privacy requests from mail to privacy@ and from the API. The From header proves nothing: a
 * mail only finds the account; the confirmation link goes to the address registered on it, and the
 * sender gets the same neutral reply whether or not the address has an account.
 */
export class PrivacyIntake {
  constructor(private readonly deps: PrivacyDeps & { confirmations?: LinkResender }) {}

  async fromMail(mail: PrivacyMailReceived): Promise<IntakeOutcome> {
    if (await this.deps.requests.intakeOutcome(mail.messageId)) return 'duplicate';
    const now = this.deps.now();
    const sender = normaliseEmail(mail.from);
    const reading = readMail(mail.subject, mail.text, { ownDomain: this.deps.ownDomain, from: sender });
    const rights = requestTypesOf(reading.rights);
    // An out-of-office reply the mail context could not tell by its headers: nobody asked for anything, and answering it could loop.
    const outcome = reading.automatic
      ? 'automatic_reply'
      : await this.intake(mail, sender, rights, reading.rights.includes('restriction'), reading.language, now);
    await this.deps.requests.recordIntake(mail.messageId, outcome, now, rights);
    return outcome;
  }

  /**
   * Opens one request per right the mail asks for (erasure and objection, access and correction …),
   * all confirmed by one link to the registered address. Only a mail asking for nothing recognisable
   * gets the list of rights.
   */
  private async intake(
    mail: PrivacyMailReceived,
    sender: string,
    rights: RequestType[],
    restriction: boolean,
    language: string | undefined,
    now: Date,
  ): Promise<IntakeOutcome> {
    // The sender hears back in the letter's language: never the account's, which would tell whether there is one.
    const m = messagesFor(language);
    if (rights.length === 0) {
      // The clock started when it arrived: it waits, on the clock, for an operator to read it.
      const promised = await this.keepUnclear(mail, sender, language);
      await this.reply(mail, m.t('help.subject'), helpText(m, this.deps.publicUrl, promised, mail.attachments));
      return 'help_sent';
    }
    const { start, end } = fixedWindow(now, FLOOD_LIMITS.windowSeconds);
    if ((await this.deps.counter.increment(COUNTERS.privacyMailFromSender.of(hash(sender)), start, end)) > FLOOD_LIMITS.perSender)
      return 'throttled';
    const holders = await this.holdersOf(mail, sender, rights);
    // The same words whether or not an account matched, and whether the letter opens a request (a link is mailed) or joins one
    // already confirmed (none is): the reply reveals nothing, and says what happens in either case.
    await this.reply(
      mail,
      m.t('ack.subject'),
      m.mail([
        m.t('ack.body', privacyLinks(this.deps.publicUrl)),
        '',
        m.t('ack.joined'),
        '',
        m.t('ack.reference', { ticket: mail.ticketId }),
      ]),
    );
    if (!holders.length) return 'no_account';
    const text = newTextOf(mail.text).slice(0, 5_000);
    let outcome: IntakeOutcome = 'joined';
    for (const subject of holders) {
      // One account keeps the id of the message; several get one each, still derived from it (a redelivery opens nothing new).
      const letterId = holders.length === 1 ? mail.messageId : `${mail.messageId}#${subject.accountId}`;
      const opened = await this.openMailLetter(mail, subject, letterId, rights, restriction, language, text);
      if (opened === 'opened' || (opened === 'throttled' && outcome === 'joined')) outcome = opened;
    }
    return outcome;
  }

  /**
   * The accounts a letter is about: the sender's, and the accounts whose addresses the letter names in
   * its own words ("my account is anna@work.example", "please close old@example.org"). Each request is
   * confirmed only through its account's registered address, so naming an address opens nothing its
   * holder does not confirm. A correction's addresses are values (the new address), never accounts.
   */
  private async holdersOf(mail: PrivacyMailReceived, sender: string, rights: RequestType[]): Promise<Subject[]> {
    const own = await this.deps.subjects.findByEmail(sender);
    if (rights.includes('correction') && own) return [own];
    const named: Subject[] = [];
    for (const address of namedAddresses(`${mail.subject}\n${newTextOf(mail.text)}`, this.deps.ownDomain)) {
      const subject = address === sender ? own : await this.deps.subjects.findByEmail(address);
      if (subject && !named.some((n) => n.accountId === subject.accountId)) named.push(subject);
      if (named.length === MAX_NAMED_ACCOUNTS) break;
    }
    // The sender's own account is never left out: a letter that only mentions someone else's address must not lose its request.
    return own ? [own, ...named.filter((n) => n.accountId !== own.accountId)] : named;
  }

  /** Opens the rights of a mailed letter for one account; `letterId` stands for the message in the request ids. */
  private async openMailLetter(
    mail: PrivacyMailReceived,
    subject: Subject,
    letterId: string,
    rights: RequestType[],
    restriction: boolean,
    language: string | undefined,
    text: string,
  ): Promise<IntakeOutcome> {
    const { opened, throttled } = await this.openLetter(subject, rights, (type) => ({
      // One right keeps the id of the letter; several get one each, still derived from it (a redelivery opens nothing new).
      requestId: requestIdForMessage(rights.length === 1 ? letterId : `${letterId}#${type}`),
      channel: 'mail',
      // A restriction (art. 18) has no type of its own: the objection carries the note that sends it to a person.
      details: (type === 'objection' && restriction ? `${RESTRICTION_NOTE}\n${text}` : text) || undefined,
      verdicts: mail.verdicts,
      ticketId: mail.ticketId,
      receivedAt: new Date(mail.receivedAt),
      // The letter's language, else the account's; every later mail and page of the request uses it.
      ...((language ?? subject.locale) ? { language: language ?? subject.locale } : {}),
    }));
    // A letter that joins a request is answered by what becomes of that request: in its own language too, whichever the first
    // letter's was (an ADD to a set: a redelivery or a second such letter adds nothing).
    if (language)
      for (const { joined, request } of opened)
        if (joined && request.language !== language && !request.joinedLanguages?.includes(language))
          await this.deps.requests.addJoinedLanguage(request.requestId, language);
    // A letter that joins a request still waiting for its link gets that link again: its acknowledgement says a link was
    // mailed. Once per link: the requests of one earlier letter share theirs, and each mailing makes the one before stale.
    if (this.deps.confirmations) {
      const links = new Map<string, string>();
      for (const { joined, request } of opened)
        if (joined && request.status === 'awaiting_confirmation') links.set(letterOf(request)[0]!, request.requestId);
      for (const requestId of links.values()) await this.deps.confirmations.resend(requestId);
    }
    if (opened.some((o) => !o.joined)) return 'opened';
    return throttled ? 'throttled' : 'joined';
  }

  /**
   * Records privacy mail no right could be read from, for a person, and returns the date the reply
   * promises an answer by: the stage's default deadline, the same whether or not the sender has an
   * account (a date of the account's jurisdiction would tell that it exists). The person works to the
   * earlier of that and the sender's account's own deadline, so the promise always holds.
   */
  private async keepUnclear(mail: PrivacyMailReceived, sender: string, language: string | undefined): Promise<Date> {
    const subject = await this.deps.subjects.findByEmail(sender);
    const deadlines = this.deps.deadlines ?? DEFAULT_DEADLINES;
    const days = Math.min(deadlineFor(deadlines, subject?.country).days, deadlines.days);
    const receivedAt = new Date(mail.receivedAt);
    const text = newTextOf(mail.text).slice(0, 5_000);
    const words = `${mail.subject} ${text}`.replace(/\s+/g, ' ').trim().slice(0, 160);
    // The letter may be the attachment nobody opens: the operator reads it from the raw message.
    const attached = mail.attachments?.length ? `; attached, not read: ${mail.attachments.join(', ').slice(0, 200)}` : '';
    await this.deps.requests.recordUnclear({
      ticketId: mail.ticketId,
      messageId: mail.messageId,
      from: sender,
      subject: mail.subject.slice(0, 300),
      text,
      why: `${words ? `no right recognised in "${words}"` : 'an empty message'}${attached}`,
      ...(language ? { language } : {}),
      receivedAt: receivedAt.toISOString(),
      dueAt: new Date(receivedAt.getTime() + days * DAY).toISOString(),
      status: 'open',
    });
    return new Date(receivedAt.getTime() + deadlines.days * DAY);
  }

  /**
   * An operator's reading of unclear privacy mail: the rights it asks for open as if the mail had
   * named them — from its arrival time, so the deadline is the original one — each confirmed through
   * the account's registered address. Mail from an address with no account is closed: the sender got
   * the neutral reply, and nothing can be released or erased for an address that has no account.
   */
  async classifyUnclear(
    ticketId: string,
    types: RequestType[],
    by: string,
  ): Promise<{ outcome: 'classified' | 'no_account'; requestIds: string[] }> {
    const mail = await this.deps.requests.getUnclear(ticketId);
    if (mail?.status !== 'open') throw new UnclearMailClosedError(ticketId, mail?.status);
    const at = this.deps.now().toISOString();
    const subject = await this.deps.subjects.findByEmail(mail.from);
    if (!subject) {
      await this.deps.requests.closeUnclear(ticketId, 'dismissed', {
        by,
        at,
        note: `classified as ${types.join(' and ')}, but no account has this address: nothing to release or erase`,
      });
      return { outcome: 'no_account', requestIds: [] };
    }
    const { opened, throttled } = await this.openLetter(subject, types, (type) => ({
      requestId: requestIdForMessage(types.length === 1 ? mail.messageId : `${mail.messageId}#${type}`),
      channel: 'mail',
      details: mail.text || undefined,
      ticketId: mail.ticketId,
      receivedAt: new Date(mail.receivedAt),
      // The deadline the mail got when it arrived (under the stage's jurisdictions), not a new one.
      dueAt: mail.dueAt,
      ...(mail.language ? { language: mail.language } : {}),
    }));
    if (throttled && !opened.length) throw throttled;
    const requestIds = opened.map((o) => o.request.requestId);
    await this.deps.requests.closeUnclear(ticketId, 'classified', { by, at, requestIds, note: `classified as ${types.join(' and ')}` });
    return { outcome: 'classified', requestIds };
  }

  /**
   * A signed-in holder's request: the session is the identity, so no link is needed — except for an
   * erasure, which a stolen session must not be able to order: it waits for the mailed link, unless
   * the account's password comes with it (checked before anything is opened; a few tries a quarter).
   */
  async fromApi(
    accountId: string,
    type: RequestType,
    details: string | undefined,
    password?: string,
  ): Promise<{ request: PrivacyRequest; joined: boolean; confirmedByPassword: boolean }> {
    const subject = await this.deps.subjects.get(accountId);
    if (!subject) throw new Error(`Account ${accountId} of a live session is missing`);
    const confirmedByPassword = type === 'deletion' && password !== undefined && (await this.checkPassword(accountId, password));
    const { opened, throttled } = await this.openLetter(subject, [type], () => ({
      requestId: newId('prq'),
      channel: 'api',
      details,
      receivedAt: this.deps.now(),
      ...(subject.locale ? { language: subject.locale } : {}),
      ...(confirmedByPassword ? { confirmedBy: 'password' as const } : {}),
    }));
    if (!opened[0]) throw throttled!;
    return { ...opened[0], confirmedByPassword };
  }

  /** Reserves an attempt before the (slow) check, so concurrent guesses cannot pass the limit. */
  private async checkPassword(accountId: string, password: string): Promise<true> {
    const now = this.deps.now();
    const { start, end } = fixedWindow(now, PASSWORD_ATTEMPTS.windowSeconds);
    if ((await this.deps.counter.increment(COUNTERS.privacyPasswordChecks.of(accountId), start, end)) > PASSWORD_ATTEMPTS.perAccount) {
      throw new PasswordAttemptsError(end - Math.floor(now.getTime() / 1000));
    }
    if (!(await this.deps.subjects.passwordMatches(accountId, password))) throw new PasswordRejectedError();
    return true;
  }

  /**
   * Opens a request for each type — or, when one of that type is open for the account, joins it
   * (answering with the open one; it never takes over that one's confirmation) — then starts the
   * workflows. The requests a letter opens are created knowing each other (`letter`), before any
   * workflow starts, so the first one's link confirms them all. Request ids are the caller's (derived
   * from the message for mail): a redelivery finds them and only starts what is not started yet.
   * Past the account's daily limit the remaining types open nothing, and `throttled` says so.
   */
  private async openLetter(
    subject: Subject,
    types: RequestType[],
    inputOf: (type: RequestType) => OpenInput,
  ): Promise<{ opened: { request: PrivacyRequest; joined: boolean }[]; throttled?: PrivacyFloodError }> {
    const claimed: { request: PrivacyRequest; joined: boolean; isNew: boolean }[] = [];
    let throttled: PrivacyFloodError | undefined;
    // In the policy's order, whatever the letter's: the first holds the letter's link.
    for (const type of [...types].sort((a, b) => REQUEST_TYPES.indexOf(a) - REQUEST_TYPES.indexOf(b))) {
      try {
        claimed.push(await this.claim(subject, type, inputOf(type)));
      } catch (error) {
        if (!(error instanceof PrivacyFloodError)) throw error;
        throttled = error;
        break;
      }
    }
    const own = claimed.filter((c) => !c.joined);
    const letter = own.length > 1 ? { requestIds: own.map((c) => c.request.requestId) } : undefined;
    for (const c of own) {
      if (letter) c.request = { ...c.request, letter };
      if (c.isNew) await this.deps.requests.create(c.request);
    }
    // Started by name, so starting again after a redelivery is harmless (and starts one a crash left unstarted).
    for (const c of own) await this.deps.workflow.start(c.request);
    return { opened: claimed.map(({ request, joined }) => ({ request, joined })), ...(throttled ? { throttled } : {}) };
  }

  /** The request `input` names, as it exists (a redelivery), the open one of its type (joined), or a new one claimed as the open one. */
  private async claim(
    subject: Subject,
    type: RequestType,
    input: OpenInput,
  ): Promise<{ request: PrivacyRequest; joined: boolean; isNew: boolean }> {
    const existing = await this.deps.requests.get(input.requestId);
    if (existing) return { request: existing, joined: false, isNew: false };
    const slot = openSlotOf({ type, details: input.details });
    const open = await this.openAsking(subject.accountId, slot, input.requestId);
    if (open) return { request: open, joined: true, isNew: false };
    const now = this.deps.now();
    const { start, end } = fixedWindow(now, FLOOD_LIMITS.windowSeconds);
    if (
      (await this.deps.counter.increment(COUNTERS.privacyRequestsOfAccount.of(subject.accountId), start, end)) > FLOOD_LIMITS.perAccount
    ) {
      await this.deps.requests.releaseOpen(subject.accountId, slot, input.requestId);
      throw new PrivacyFloodError(end - Math.floor(now.getTime() / 1000));
    }
    const receivedAt = input.receivedAt.toISOString();
    const deadline = deadlineFor(this.deps.deadlines ?? DEFAULT_DEADLINES, subject.country);
    const via = input.channel === 'mail' ? 'by mail to privacy@' : 'through the API';
    const request: PrivacyRequest = {
      requestId: input.requestId,
      type,
      status: 'received',
      channel: input.channel,
      accountId: subject.accountId,
      email: subject.email,
      details: input.details,
      receivedAt,
      dueAt: input.dueAt ?? new Date(input.receivedAt.getTime() + deadline.days * DAY).toISOString(),
      history: [
        {
          status: 'received',
          at: receivedAt,
          note: `${via}; answer within ${deadline.days} days (${deadline.jurisdiction === 'default' ? 'default deadline' : `deadline for ${deadline.jurisdiction}`})`,
        },
      ],
      verdicts: input.verdicts,
      ticketId: input.ticketId,
      ...(input.confirmedBy ? { confirmedBy: input.confirmedBy } : {}),
      ...(input.language ? { language: input.language } : {}),
    };
    return { request, joined: false, isNew: true };
  }

  /**
   * The request asking this (`openSlotOf`) open for the account, or undefined once `requestId` holds the claim.
   * A claim is written before its request is stored (the request is built only once the claim is
   * won): a request asked for at the same moment finds the claim first and waits, backing off, for
   * its request to appear — it never opens a second one beside it. A claim whose request has ended
   * is let go and claimed again; one whose request does not appear in time is a conflict to retry.
   */
  private async openAsking(accountId: string, slot: OpenSlot, requestId: string): Promise<PrivacyRequest | undefined> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (const wait of [...CLAIM_WAITS_MS, undefined]) {
      const openId = await this.deps.requests.claimOpen(accountId, slot, requestId);
      if (openId === requestId) return undefined;
      const open = await this.deps.requests.get(openId);
      if (open && !FINAL_STATUSES.includes(open.status)) return open;
      // Ended, its claim not yet released by the step that closed it: release it here and claim again.
      if (open) await this.deps.requests.releaseOpen(accountId, slot, openId);
      else if (wait !== undefined) await sleep(wait);
    }
    throw new PrivacyRequestOpeningError();
  }

  /** The message's one reply, claimed before it is sent: a redelivery after it went out (intake failed later) sends none. */
  private async reply(mail: PrivacyMailReceived, subject: string, body: MailBody): Promise<void> {
    if (!mail.replyTo) return;
    const { requests } = this.deps;
    const claim = {
      take: () => requests.claimReply(mail.messageId, this.deps.now()),
      giveBack: () => requests.releaseReply(mail.messageId),
    };
    await sendOnce(this.deps.mailer, claim, {
      to: mail.replyTo,
      subject,
      ...body,
      inReplyTo: mail.headerMessageId,
      autoSubmitted: 'auto-replied',
    });
  }
}

/** How long, backing off, a request waits for the open request whose claim it met to be stored (about 3 s in all). */
const CLAIM_WAITS_MS = [25, 50, 100, 200, 400, 800, 1_600];

/** Accounts one letter may name and open requests for: each gets a mail to its registered address, so a letter is no mailing list. */
export const MAX_NAMED_ACCOUNTS = 3;

const ADDRESS = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** The e-mail addresses a text names, in their one form (normaliseEmail), each once, in order; addresses of `ownDomain` (ours) left out. */
export function namedAddresses(text: string, ownDomain: string | undefined): string[] {
  const found = [...text.matchAll(ADDRESS)].map((m) => normaliseEmail(m[0].replace(/^[.'-]+|[.'-]+$/g, '')));
  return [...new Set(found)].filter((a) => !ownDomain || !a.endsWith(`@${ownDomain.toLowerCase()}`));
}

/** What opening one request needs besides the account and its type. */
type OpenInput = Pick<PrivacyRequest, 'requestId' | 'channel' | 'details' | 'verdicts' | 'ticketId' | 'confirmedBy' | 'language'> & {
  receivedAt: Date;
  dueAt?: string;
};

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

/**
 * The list of rights, each with the words to ask for it in the reply's language, and that a person
 * answers by `due` whatever the language; first, when the mail had attachments, that we do not open them.
 */
function helpText(m: Messages, publicUrl: string, due: Date, attachments: string[] = []): MailBody {
  return m.mail([
    ...(attachments.length ? [m.t('help.attachments', { files: attachments.join(', ').slice(0, 200) }), ''] : []),
    m.t('help.intro'),
    m.t('help.access', privacyLinks(publicUrl)),
    m.t('help.portability'),
    m.t('help.deletion'),
    m.t('help.correction'),
    m.t('help.objection'),
    '',
    m.t('help.person', { due }),
    '',
    m.t('help.outro'),
  ]);
}
