import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCorrection } from '../../../lambdas/privacy/domain/correction';
import { ACCOUNT_FIELDS } from '../../../lambdas/shared/profile-fields';

const letter = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'privacy-letters', file), 'utf8')) as { text: string };

describe('corrections read from real letters, in their own language', () => {
  it.each([
    ['en-05-rectification-id-block.json', 'jane-erasure@example.org', { name: 'Jane Erasmus-Cole' }],
    ['en-08-two-rights-access-correction.json', 'priya@example.org', { company: 'Northwind Analytics Ltd' }],
    ['de-03-berichtigung-id-block.json', 'a.schroeder@example.de', { name: 'Anna-Lena Schröder' }],
    ['fr-03-rectification.json', 'helene.girard@example.fr', { name: 'Hélène Girard-Dupuis' }],
    ['es-03-rectificacion.json', 'mjnavarro@example.es', { name: 'María José Navarro' }],
    ['it-03-rettifica.json', 'paolo.ferri@example.it', { company: 'Ferri Consulting S.r.l.' }],
    ['pt-03-retificacao.json', 'joana.pereira@example.pt', { name: 'Joana Sousa Pereira' }],
    ['pt-br-03-correcao.json', 'rafael@example.com.br', { name: 'Rafael Costa Lima' }],
    ['nl-03-rectificatie.json', 'eline.berg@example.nl', { name: 'Eline van den Berg' }],
    ['pl-03-sprostowanie.json', 'm.zielinska@example.pl', { name: 'Małgorzata Zielińska-Kowal' }],
    ['cs-03-oprava.json', 'lucie.cerna@example.cz', { name: 'Lucie Černá' }],
    ['sv-03-rattelse.json', 'sofia.akesson@example.se', { name: 'Sofia Åkesson' }],
    ['ro-03-rectificare.json', 'ioana.d@example.ro', { name: 'Ioana Dumitrescu' }],
    ['el-03-diorthosi.json', 'eleni.k@example.gr', { name: 'Ελένη Κωνσταντίνου' }],
    ['hr-03-ispravak.json', 'ana@example.hr', { name: 'Ana Babić-Marić' }],
    ['en-70-correction-old-and-new.json', 'chris@example.org', { name: 'Christine Adeyemi-Ward' }],
  ])('%s: the value after the correction is the change; the identification block is not a conflict', (file, registered, changes) => {
    // Arrange
    const { text } = letter(file);
    // Act
    const reading = readCorrection(text, registered);
    // Assert
    expect(reading).toEqual({ changes, forAPerson: [] });
  });

  it('reads "Name: new value" lines alone as the change', () => {
    expect(readCorrection('Name: Ann Smith\nE-Mail-Adresse: ann@example.org', 'ann@example.org')).toEqual({
      changes: { name: 'Ann Smith' },
      forAPerson: [],
    });
  });

  it('treats label lines after "For identification:" as identification, even when they differ from the change', () => {
    const text = 'Bitte berichtigen Sie meine Firma: Acme GmbH\n\nZur Identifikation:\nName: Ann Smith\nE-Mail: other@example.org';
    expect(readCorrection(text, 'ann@example.org')).toEqual({ changes: { company: 'Acme GmbH' }, forAPerson: [] });
  });

  it('hands a value it cannot read plainly to a person', () => {
    const { text } = letter('fr-07-deux-droits.json');
    expect(readCorrection(text, 'marc@example.org').forAPerson).not.toEqual([]);
  });

  // Rules learnt from letters we did not write (test/fixtures/privacy-letters-heldout), checked with words of our own.
  it.each([
    ['en', 'Please rectify my data.\n\nCurrently on file:\nName: Tom Baker\n\nShould read:\nName: Tom Baker-Hughes', 'Tom Baker-Hughes'],
    [
      'fr',
      'Je demande la rectification de mes données.\n\nDonnées actuellement enregistrées :\nNom : Anne Roux\n\nDonnées correctes :\nNom : Anne Roux-Petit',
      'Anne Roux-Petit',
    ],
    [
      'it',
      'Chiedo la rettifica dei miei dati.\n\nDati attuali:\nNome: Marco Galli\n\nDati corretti:\nNome: Marco Galli Serra',
      'Marco Galli Serra',
    ],
    [
      'sv',
      'Jag begär rättelse av mina uppgifter.\n\nNuvarande uppgifter:\nNamn: Eva Lind\n\nRätt uppgifter:\nNamn: Eva Lind Berg',
      'Eva Lind Berg',
    ],
  ])(
    '%s: under "current" and "correct" headings, the correct values are the change and the current ones identify',
    (_language, text, name) => {
      expect(readCorrection(text, 'someone@example.org')).toEqual({ changes: { name }, forAPerson: [] });
    },
  );

  it.each([
    ['en', 'Please correct my details.\nOld name: Kim Park\nNew name: Kim Park-Lee', 'Kim Park-Lee'],
    ['de', 'Bitte berichtigen Sie meine Daten.\nAlter Name: Jan Vogel\nNeuer Name: Jan Vogel-Graf', 'Jan Vogel-Graf'],
  ])('%s: a label that says whose value it holds ("Old name:", "New name:") decides which is the change', (_language, text, name) => {
    expect(readCorrection(text).changes).toEqual({ name });
  });

  it.each([
    ['en', 'Please correct my data.\nCorrect surname: Okafor'],
    ['de', 'Bitte berichtigen Sie meine Daten.\nRichtiger Nachname: Meier'],
    ['es', 'Solicito la rectificación de mis datos.\nApellidos correctos: Ruiz Torres'],
  ])('%s: a surname or first name alone is never written over the whole name: a person applies it', (_language, text) => {
    const reading = readCorrection(text);
    expect(reading.changes).toEqual({});
    expect(reading.forAPerson).toContain(
      'name: only a part of it (a surname or first name) was given; a person applies it to the full name',
    );
  });

  it('gives the whole name when a sentence names the surname and the next gives several words', () => {
    expect(readCorrection('My surname is misspelt in my account. Please correct it to: Ada Lovelace-King.').changes).toEqual({
      name: 'Ada Lovelace-King',
    });
  });

  it('hands a correct value of data no field holds (an address) to a person, and never reads a qualified label as the field', () => {
    const address = readCorrection('Please correct my data.\n\nCorrect data:\nName: Ivo Horvat\nAddress: 1 Main Street, Springfield');
    expect(address.changes).toEqual({ name: 'Ivo Horvat' });
    expect(address.forAPerson).toContain('a correct value of data we cannot change ourselves: "address"');
    const billing = readCorrection('Current invoice email: old@example.org\nNew invoice email: new@example.org');
    expect(billing.newEmail).toBeUndefined();
    expect(billing.forAPerson).toEqual(['a correct value of data we cannot change ourselves: "New invoice email"']);
  });
});

/** "X, not Y": the quoted value a contrast marks is the one we hold now, never the change (an adversarial pass applied it). */
describe('a correction that names the new value and the wrong one', () => {
  it.each([
    ['en', 'Please fix my name: it is "Sarah O’Neil", not "Sara ONeil".', { name: 'Sarah O’Neil' }],
    ['en', 'Please update the company name: "Kite & Key Ltd" rather than "Kite and Key".', { company: 'Kite & Key Ltd' }],
    ['de', 'Bitte korrigieren Sie meinen Namen auf „Lena Voß“ statt „Lena Voss“.', { name: 'Lena Voß' }],
    ['fr', 'Merci de corriger mon nom : « Élodie Bernard » et non « Elodie Bernhard ».', { name: 'Élodie Bernard' }],
    ['es', 'Corrijan mi nombre, por favor: es "Íñigo Pérez" y no "Inigo Perez".', { name: 'Íñigo Pérez' }],
    ['it', 'Vi chiedo di correggere il nome in "Giulia Moretti" invece di "Giulia Moreti".', { name: 'Giulia Moretti' }],
    ['pl', 'Proszę poprawić moje imię i nazwisko na "Łukasz Wójcik", a nie "Lukasz Wojcik".', { name: 'Łukasz Wójcik' }],
    ['nl', 'Graag mijn naam corrigeren naar "Daan de Boer" in plaats van "Dan de Boer".', { name: 'Daan de Boer' }],
    ['cs', 'Prosím opravte mé jméno na „Tereza Malá“, nikoli „Tereza Mala“.', { name: 'Tereza Malá' }],
    ['ro', 'Vă rog să corectați numele în „Radu Ionescu”, nu „Radu Ionesco”.', { name: 'Radu Ionescu' }],
    ['fi', 'Korjatkaa nimeni muotoon "Aino Lehtonen", ei "Aino Lehtinen".', { name: 'Aino Lehtonen' }],
    // The wrong value first, marked by a word after it.
    ['hu', 'Kérem, javítsák a nevemet: "Kiss Réka" helyett "Kis Réka" a helyes.', { name: 'Kis Réka' }],
  ])('%s: %s', (_language, text, changes) => {
    expect(readCorrection(text, 'writer@example.org').changes).toEqual(changes);
  });

  it('applies nothing when the only value quoted is the wrong one', () => {
    expect(readCorrection('Please correct my name, it is not "Jon Smyth".', 'writer@example.org').changes).toEqual({});
  });
});

describe('corrections in the thin EU/EEA languages (privacy-letters-eu)', () => {
  const partOnly = {
    changes: {},
    forAPerson: ['name: only a part of it (a surname or first name) was given; a person applies it to the full name'],
  };

  it.each([
    ['mt', 'Jekk jogħġbok ikkoreġu ismi: l-isem korrett huwa "Rita Zammit" u mhux "Rita Zamit".', 'Rita Zammit'],
    ['et', 'Palun parandage minu nimi: õige on "Liisa Mänd", mitte "Liisa Mand".', 'Liisa Mänd'],
    ['is', 'Vinsamlegast leiðréttið nafnið mitt í "Jón Páll Gunnarsson".', 'Jón Páll Gunnarsson'],
  ])('%s: the value before "u mhux" / "mitte" (not) is the change, never the one after', (_l, text, name) => {
    expect(readCorrection(text)).toEqual({ changes: { name }, forAPerson: [] });
  });

  it('Latvian "nevis" (not) is no Hungarian "név" (name): a surname stays a part of the name, for a person', () => {
    expect(readCorrection('Lūdzu labot manu uzvārdu, pareizi ir „Ozoliņa”, nevis „Ozolina”.')).toEqual(partOnly);
  });

  it.each([
    ['lt', 'Prašau pataisyti pavardę: teisinga pavardė yra „Kazlauskienė“, o ne „Kazlauskaitė“.'],
    ['nn', 'Ver venleg og rett etternamnet mitt, rett namn er "Haugen".'],
  ])('%s: a surname named beside a bare word for "name" is the part asked for, for a person', (_l, text) => {
    expect(readCorrection(text)).toEqual(partOnly);
  });
});

describe('a correction by letter checks a value as the account API does', () => {
  it('accepts a Persian name written with a zero-width non-joiner (U+200C), as PATCH /v1/account does', () => {
    const name = 'مه\u200cناز احمدی';
    expect(ACCOUNT_FIELDS.name.safeParse(name).success).toBe(true);
    expect(readCorrection(`Please change my name to ${name}.`)).toEqual({ changes: { name }, forAPerson: [] });
  });

  it('accepts a Devanagari name with a zero-width joiner (U+200D), and refuses a control character as the API does', () => {
    const name = 'क्\u200dष राम';
    expect(readCorrection(`name: ${name}`).changes).toEqual({ name });
    expect(ACCOUNT_FIELDS.company.safeParse('Acme\u0007GmbH').success).toBe(false);
    expect(readCorrection('company: Acme\u0007GmbH').changes).toEqual({});
  });
});
