import fc from 'fast-check';
import { classifyLetter, readMail } from '../../../lambdas/privacy/domain/classify';
import { Lexicon, oneSlip } from '../../../lambdas/privacy/domain/typos';

describe('misspelt privacy letters', () => {
  it.each([
    // English: a letter missing, doubled, two swapped, a neighbouring key struck.
    ['', 'delet my acount pls', ['deletion'], 'delet'],
    ['deleete', 'pleasse deleete my accountt', ['deletion'], 'deleete'],
    ['', 'Please delte my accuont and all personal infromation.', ['deletion'], 'delte'],
    ['', 'Please rwmove my personal data and delere my account', ['deletion'], 'rwmove'],
    ['exprot', 'can you exprot my data to json so i can move to another provider', ['portability'], 'exprot'],
    ['', 'I wish to obkect to the processing of my personal data for direct markrting.', ['objection'], 'obkect'],
    // Other languages, each against its own vocabulary.
    ['', 'verwijdr mijn acount en al mijn gegevns aub', ['deletion'], 'verwijdr'],
    ['', 'bonjour je veux suprimer mon compte et mes donnees svp', ['deletion'], 'suprimer'],
    ['', 'vorrei cancelare il mio acount e tutti i miei dati grazie', ['deletion'], 'cancelare'],
    ['Werbung', 'ich widerpreche der Nutzung meiner Daten für Werbung. Konto soll bleiben.', ['objection'], 'widerpreche'],
  ])('reads %j / %j as %j, saying which word was misspelt', (subject, text, rights, typo) => {
    const reading = readMail(subject, text);

    expect(reading.rights.sort()).toEqual(rights);
    expect(reading.evidence.join(' ')).toContain(`"${typo}" as`);
  });

  it.each([
    // Real words one letter from a right's word: another vowel is another word, not a slip of the fingers.
    ['delta', "what's the delta between the pro and basic plan prices? want to know before I top up"],
    ['Rechnung', 'Ich habe ein berechtigtes Interesse an einer korrekten Rechnung, bitte senden Sie sie erneut.'],
    ['Kérdés', 'Hol történik az adatok tárolása? Csak kíváncsi vagyok.'],
    // A German word one slip from an English one is German: "passen" is not "passed".
    ['Frage', 'Die Preise passen mir nicht ganz, gibt es Rabatte?'],
  ])('never reads a real word into a right (%j)', (subject, text) => {
    expect(classifyLetter(subject, text).rights).toEqual([]);
  });

  it('reads a slip only into a word of a right: one slip from only other words ("write" from "wrote") stays as typed', () => {
    const lexicon = new Lexicon(
      [
        { word: 'wrote', stem: false },
        { word: 'delete', stem: false, right: 'deletion' },
      ],
      ['the', 'my'],
    );
    expect(lexicon.typoOf('write')).toBeUndefined();
    expect(lexicon.typoOf('delte')).toBe('delete');
    expect(classifyLetter('', 'I write to you and request a copy of my personal data.').rights).toEqual(['access']);
  });

  it("costs what the vocabulary's longest word allows, not what the letter's word does (a 100 kB word of one letter)", () => {
    const lexicon = new Lexicon([{ word: 'delet', stem: true, right: 'deletion' }], ['the']);
    const started = performance.now();
    expect(lexicon.typoOf('d'.repeat(100_000))).toBeUndefined();
    // A stem's slip with a long ending is still read, as the stem and the ending.
    expect(lexicon.typoOf(`delte${'s'.repeat(100_000)}`)?.startsWith('delets')).toBe(true);
    // Quadratic in the word took minutes (and gigabytes); bounded, it is microseconds even on a loaded machine.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('leaves a word one slip from words of different meanings as typed: the letter stays unclear and is asked about', () => {
    const lexicon = new Lexicon(
      [
        { word: 'export', stem: false, right: 'portability' },
        { word: 'expert', stem: false },
        { word: 'erase', stem: false, right: 'deletion' },
      ],
      ['the', 'my'],
    );

    expect(lexicon.typoOf('exprt')).toBeUndefined();
    expect(lexicon.typoOf('ersae')).toBe('erase');
  });

  it('never reads short words, stop words or known words as misspelt', () => {
    const lexicon = new Lexicon(
      [
        { word: 'data', stem: false, right: 'access' },
        { word: 'delete', stem: false, right: 'deletion' },
        { word: 'verwijder', stem: true, right: 'deletion' },
      ],
      ['delet'],
    );

    expect(lexicon.typoOf('dta')).toBeUndefined();
    expect(lexicon.typoOf('dat')).toBeUndefined();
    expect(lexicon.typoOf('delet')).toBeUndefined();
    expect(lexicon.typoOf('verwijderen')).toBeUndefined();
    expect(lexicon.typoOf('verwjderen')).toBe('verwijderen');
  });

  it('takes a letter left out, a double, a swap and a neighbouring key as one slip, and nothing else', () => {
    const word = fc.stringMatching(/^[a-z]{5,12}$/);
    fc.assert(
      fc.property(word, fc.nat(), (w, n) => {
        const i = n % w.length;
        const missing = w.slice(0, i) + w.slice(i + 1);
        const doubled = w.slice(0, i + 1) + w.slice(i);
        expect(oneSlip(missing, w)).toBe(true);
        expect(oneSlip(doubled, w)).toBe(true);
        if (i + 1 < w.length && w[i] !== w[i + 1]) expect(oneSlip(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2), w)).toBe(true);
      }),
    );
    expect(oneSlip('delwte', 'delete')).toBe(true);
    expect(oneSlip('delta', 'delet')).toBe(false);
    expect(oneSlip('passen', 'passed')).toBe(false);
    expect(oneSlip('berechtigt', 'berichtigt')).toBe(false);
    expect(oneSlip('deletee', 'delete')).toBe(true);
    expect(oneSlip('delettq', 'delete')).toBe(false);
  });
});
