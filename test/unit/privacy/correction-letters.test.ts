import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCorrection } from '../../../lambdas/privacy/domain/correction';

const letter = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'privacy-letters', file), 'utf8')) as { text: string };

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
  ])('%s: the value after the correction is the change; the identification block is not a conflict', (file, registered, changes) => {
    // Arrange
    const { text } = letter(file);
    // Act
    const reading = readCorrection(text, registered);
    // Assert
    expect(reading).toEqual({ changes, forAPerson: [] });
  });

  it('reads "Name: new value" lines alone as the change', () => {
    expect(readCorrection('Name: Ann Smith\nE-Mail-Adresse: ann@example.org', 'ann@example.org')).toEqual({ changes: { name: 'Ann Smith' }, forAPerson: [] });
  });

  it('treats label lines after "For identification:" as identification, even when they differ from the change', () => {
    const text = 'Bitte berichtigen Sie meine Firma: Acme GmbH\n\nZur Identifikation:\nName: Ann Smith\nE-Mail: other@example.org';
    expect(readCorrection(text, 'ann@example.org')).toEqual({ changes: { company: 'Acme GmbH' }, forAPerson: [] });
  });

  it('hands a value it cannot read plainly to a person', () => {
    const { text } = letter('fr-07-deux-droits.json');
    expect(readCorrection(text, 'marc@example.org').forAPerson).not.toEqual([]);
  });
});
