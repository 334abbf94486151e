import * as path from 'node:path';
import { DynamoDbRequests } from '../../../lambdas/privacy/adapters/dynamodb-requests';
import { detectLanguage } from '../../../lambdas/privacy/domain/classify';
import { PrivacyIntake } from '../../../lambdas/privacy/domain/intake';
import { privacyLinks } from '../../../lambdas/privacy/domain/links';
import { chineseScriptOf } from '../../../lambdas/privacy/domain/han-script';
import { LOCALES, messagesFor, replyLocale } from '../../../lambdas/privacy/messages';
import { DynamoDbWindowCounter } from '../../../lambdas/shared/adapters/dynamodb-counter';
import type { PrivacyMailReceived } from '../../../lambdas/shared/privacy-mail';
import { asReceived, FIXTURES, lettersIn } from '../../helpers/letters';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { MemoryMailer } from '../../helpers/memory-accounts';

const primaryOf = (tag: string) => tag.toLowerCase().split(/[-_]/)[0]!;
const primary = primaryOf;
const WORLD = path.join(FIXTURES, 'privacy-letters-world');
/** The EU and EEA languages' letters, and the first corpus (it holds the only Hungarian ones outside the held-out and adversarial sets). */
const EU = path.join(FIXTURES, 'privacy-letters-eu');
const FIRST = path.join(FIXTURES, 'privacy-letters');
const PUBLIC_URL = 'https://api.omnapi.test';

/** The script each language is written in, where it is not Latin. */
const SCRIPTS: Record<string, RegExp> = {
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  he: /\p{Script=Hebrew}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u,
  ko: /\p{Script=Hangul}/u,
  hi: /\p{Script=Devanagari}/u,
  th: /\p{Script=Thai}/u,
  bg: /\p{Script=Cyrillic}/u,
};
/** Every language we write but English, by its primary subtag (zh-Hant is checked on the Chinese letters in Traditional). */
const LANGUAGES: readonly string[] = [...new Set(LOCALES.filter((l) => l !== 'en').map((l) => primaryOf(l)))];
const RIGHT_TO_LEFT = ['ar', 'fa', 'he'];

/** What may stay in Latin letters in any language: links, addresses, the product's name, the mail's ticket id, the time zone. */
const withoutNames = (text: string, ticket: string) =>
  text
    .replaceAll(ticket, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ')
    .replace(/\b(OmnAPI|UTC)\b/g, ' ');
const wordTrigrams = (text: string) => {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  return new Set(words.slice(2).map((w, i) => `${words[i]} ${words[i + 1]} ${w}`));
};

/** A letter from the world corpus answered by intake: the first mail back to its writer. */
describe('replies in the language of the letter', () => {
  let dynamo: LocalDynamo;
  let intake: PrivacyIntake;
  let mailer: MemoryMailer;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    mailer = new MemoryMailer();
    intake = new PrivacyIntake({
      requests: new DynamoDbRequests(dynamo.client, 'privacyRequests'),
      // No account: the neutral acknowledgement (or the help list) is all that goes out.
      subjects: { findByEmail: async () => undefined, get: async () => undefined, passwordMatches: async () => false },
      workflow: { start: async () => undefined, resume: async () => 'delivered' as const, fail: async () => 'delivered' as const },
      mailer,
      counter: new DynamoDbWindowCounter(dynamo.client, 'privacyRequests'),
      publicUrl: PUBLIC_URL,
      linkLifeHours: 72,
      deadlines: { days: 30, byCountry: {} },
      now: () => new Date('2026-12-01T10:00:00Z'),
    });
  });
  afterAll(() => dynamo.stop());

  const letters = [WORLD, EU, FIRST]
    .flatMap((dir) => lettersIn(dir).map((letter) => ({ ...letter, dir })))
    .filter((l) => LANGUAGES.includes(primary(l.language)))
    // A letter half in English may be read as English and answered so: which language it is read in is the classifier's test.
    .filter((l) => !/\bmixed\b/.test(l.kind))
    // An automatic reply is never answered (no mail loops).
    .filter((l) => !/\bautomatic reply\b/.test(l.kind));

  it('has letters in every language it checks', () => {
    expect(LANGUAGES.filter((language) => !letters.some((l) => primary(l.language) === language))).toEqual([]);
  });

  it.each(letters.map((l) => [`${path.basename(l.dir)}/${l.file}`, l] as const))(
    'answers %s in its own language, with no English sentence left',
    async (file, letter) => {
      const language = primary(letter.language);
      // Chinese is answered in the script it was written in: a letter in Traditional characters in Traditional.
      const { locale } = replyLocale(letter.language);
      const { subject, text } = await asReceived(letter, letter.dir);
      const ticket = `tkt_${file.replace(/\W/g, '_')}`;
      const from = `writer-${file.replace(/\W/g, '-')}@example.org`;
      const mail: PrivacyMailReceived = {
        messageId: `msg-${file}`,
        ticketId: ticket,
        from,
        replyTo: from,
        subject,
        text,
        receivedAt: '2026-12-01T10:00:00.000Z',
        verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
      };
      await intake.fromMail(mail);
      const reply = mailer.sent.find((m) => m.to === from)!;
      expect(reply).toBeDefined();
      // The acknowledgement, or the list of rights for a letter asking nothing we can read.
      const kind = reply.subject === messagesFor(locale).t('ack.subject') ? 'ack' : 'help';
      expect(reply.subject).toBe(messagesFor(locale).t(`${kind}.subject`));
      expect(reply.headers?.['Content-Language']).toBe(locale);

      const own = withoutNames(`${reply.subject}\n${reply.text}`, ticket);
      // Not English: no line saying we answer in English, no three words in a row of the English reply.
      const english = messagesFor('en');
      const inEnglish = [
        english.t(`${kind}.subject`),
        english.t('ack.body', privacyLinks(PUBLIC_URL)),
        english.t('ack.joined'),
        english.t('ack.reference', { ticket }),
        english.t('signature'),
      ]
        .concat(kind === 'help' ? [english.t('help.intro'), english.t('help.outro'), english.t('help.deletion')] : [])
        .join('\n');
      const shared = [...wordTrigrams(own)].filter((t) => wordTrigrams(withoutNames(inEnglish, ticket)).has(t));
      expect({ file, shared }).toEqual({ file, shared: [] });
      // Read back, the reply is in the letter's language; written in the language's script where it has its own.
      expect(detectLanguage(reply.text)?.split('-')[0]).toBe(language);
      if (language === 'zh')
        expect({ file, script: chineseScriptOf(`${reply.subject}\n${reply.text}`) }).toEqual({
          file,
          script: locale === 'zh-Hant' ? 'Hant' : 'Hans',
        });
      const script = SCRIPTS[language];
      if (script) {
        expect({ file, latin: own.match(/[A-Za-z]{2,}/g) ?? [] }).toEqual({ file, latin: [] });
        for (const part of [reply.subject, reply.text]) expect(script.test(part)).toBe(true);
      }

      if (RIGHT_TO_LEFT.includes(language)) {
        // Every line of the text part reads right to left, whatever it begins with; the ticket keeps its own direction.
        expect(reply.text.split('\n').filter((line) => line && !line.startsWith('\u200f'))).toEqual([]);
        if (kind === 'ack') expect(reply.text).toContain(`\u2068${ticket}\u2069`);
        // The HTML part says the language and its direction on its root, and isolates what reads left to right.
        expect(reply.html).toMatch(new RegExp(`^<!doctype html><html lang="${language}" dir="rtl">`));
        if (kind === 'ack') expect(reply.html).toContain(`<bdi>${ticket}</bdi>`);
        expect(reply.html).toContain('<bdi dir="ltr">privacy@omnapi.com</bdi>');
        expect(reply.html).toContain(`<a href="${privacyLinks(PUBLIC_URL).privacyUrl.replaceAll('&', '&amp;')}" dir="ltr">`);
      } else {
        expect(reply.html).toBeUndefined();
      }
    },
  );
});
