import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMail } from '../../../lambdas/privacy/domain/classify';
import { messagesFor, replyLocale } from '../../../lambdas/privacy/messages';
import { kinLanguages } from '../../../lambdas/privacy/vocabulary';
import { asReceived, FIXTURES, lettersIn } from '../../helpers/letters';

/** Short and long letters of languages taken for a neighbour: Occitan, Galician, Malay, Serbian (Latin and Cyrillic), Bosnian. */
const KIN_LETTERS: [string, string, string][] = [
  ['oc', '', "Vos demandi d'escafar mon compte."],
  ['oc', 'donadas', 'Bonjorn, vòli saber quinas donadas avètz sus ieu.'],
  [
    'oc',
    'RGPD',
    'Bonjorn,\n\nSoi client vòstre dempuèi dos ans. Segon lo RGPD, vos demandi de me mandar una còpia de totas las donadas personalas que gardatz sus ieu.\n\nMercés,\nMarçal',
  ],
  ['gl', '', 'Quero borrar a miña conta.'],
  ['gl', '', 'Boas, podedes eliminar os meus datos? Grazas'],
  [
    'gl',
    'Dereito de acceso',
    'Bos días:\n\nSegundo o Regulamento xeral de protección de datos, solicito unha copia de todos os datos persoais que tedes sobre min, e con quen os compartistes.\n\nMoitas grazas,\nBrais',
  ],
  ['ms', '', 'Tolong padam akaun saya.'],
  ['ms', '', 'Helo, saya ingin tahu maklumat apa yang syarikat anda simpan tentang saya.'],
  ['sr', '', 'Molim vas da obrišete moj nalog.'],
  ['sr', '', 'Поштовани, молим вас да обришете мој налог и све моје податке.'],
  ['bs', 'Brisanje', 'Poštovani, molim vas da izbrišete moj račun i sve moje lične podatke. Hvala'],
];

/** The same requests in the languages they are taken for, which must stay themselves. */
const NEIGHBOUR_LETTERS: [string, string][] = [
  ['pt', 'Bom dia, podem eliminar os meus dados? Obrigado'],
  ['es', 'Buenos días, ¿pueden eliminar mis datos? Gracias'],
  ['fr', 'Bonjour, je veux supprimer mon compte et toutes mes données.'],
  ['ca', 'Bon dia, podeu eliminar les meves dades? Gràcies'],
  ['id', 'Halo, saya ingin tahu data apa saja yang kalian simpan tentang saya.'],
  ['hr', 'Poštovani, gdje se nalaze vaši poslužitelji i jesu li podaci pohranjeni u EU? Hvala'],
  ['hr', 'Bok, želim prvo dobiti sve svoje podatke u JSON-u, a nakon toga molim da obrišete moj račun.'],
];

describe('close neighbours we both read', () => {
  it.each([
    // The function words are the two languages' alike; "priezvisko" is Slovak's word for surname, "příjmení" Czech's.
    ['sk', 'Dobrý deň, moje priezvisko je nesprávne, prosím opravte ho na Kováčová.'],
    ['cs', 'Dobrý den, moje příjmení je špatně, prosím opravte ho.'],
  ])('tells %s by the words only its vocabulary has (%j)', (language, text) => {
    expect(readMail('', text).language).toBe(language);
  });
});

describe('languages we read through a neighbour', () => {
  it.each(KIN_LETTERS)('names a letter in %s as written, not as its neighbour (%j / %j)', (language, subject, text) => {
    expect(readMail(subject, text).language).toBe(language);
  });

  it.each(NEIGHBOUR_LETTERS)('keeps a %s letter its own language (%j)', (language, text) => {
    expect(readMail('', text).language).toBe(language);
  });

  it.each(kinLanguages().map((k) => [k.language, k.answeredIn] as const))(
    'answers %s in %s, saying in that language which language it was written in and why the reply is not',
    (language, answeredIn) => {
      const m = messagesFor(language);
      const named = (tag: string) => new Intl.DisplayNames([m.locale], { type: 'language' }).of(tag)!;

      expect(replyLocale(language)).toEqual({ locale: answeredIn, closest: language });
      const text = m.mail(['…']).text;
      expect(text.split('\n')[0]).toBe(m.t('fallback.closest', { language: named(language), reply: named(m.locale) }));
      expect(text).toContain(named(language));
      // Not in English's words — unless English is the language it is answered in (Welsh).
      if (answeredIn !== 'en')
        expect(text).not.toContain(messagesFor('en').t('fallback.closest', { language: 'x', reply: 'y' }).slice(0, 12));
    },
  );

  it('never takes a letter of the earlier corpora, in a language we have a vocabulary for, for one we read through a neighbour', async () => {
    const kin = new Set(kinLanguages().map((k) => k.language));
    const taken: string[] = [];
    const corpora = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('privacy-letters') && d !== 'privacy-letters-typed');
    for (const corpus of corpora) {
      const dir = path.join(FIXTURES, corpus);
      for (const letter of lettersIn(dir)) {
        const { subject, text } = await asReceived(letter, dir);
        const read = readMail(subject, text, { ownDomain: 'omnapi.com' }).language;
        // A letter of a language read through a neighbour (the later corpora have some) is that language's to be taken for.
        if (read && kin.has(read) && !kin.has(letter.language.split('-')[0]!))
          taken.push(`${corpus}/${letter.file}: ${letter.language} read as ${read}`);
      }
    }
    expect(taken).toEqual([]);
    // Every corpus's letters, each read twice: a bound for a loaded machine, not a target.
  }, 600_000);
});
