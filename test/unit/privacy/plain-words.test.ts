import { classifyLetter } from '../../../lambdas/privacy/domain/classify';
/** Short, informal mails: the plain verbs and questions people write, one right each, in many languages. */
const cases: [string, string, string][] = [
  ['de', 'Löscht bitte meinen Account.', 'deletion'], ['fr', 'Effacez mes données svp.', 'deletion'], ['es', 'Borren mi cuenta por favor.', 'deletion'],
  ['it', 'Cancellate i miei dati.', 'deletion'], ['pt', 'Apaguem a minha conta.', 'deletion'], ['nl', 'Verwijder mijn account alsjeblieft.', 'deletion'],
  ['pl', 'Usuńcie moje konto.', 'deletion'], ['cs', 'Smažte můj účet.', 'deletion'], ['sv', 'Radera mitt konto.', 'deletion'], ['ro', 'Ștergeți contul meu.', 'deletion'],
  ['el', 'Διαγράψτε τον λογαριασμό μου.', 'deletion'], ['hr', 'Obrišite moj račun.', 'deletion'], ['hu', 'Kérem, töröljék a fiókomat.', 'deletion'], ['fi', 'Poistakaa tilini.', 'deletion'],
  ['et', 'Palun kustutage minu konto.', 'deletion'], ['lv', 'Lūdzu, dzēsiet manu kontu.', 'deletion'], ['lt', 'Prašau ištrinti mano paskyrą.', 'deletion'], ['sl', 'Prosim, izbrišite moj račun.', 'deletion'],
  ['bg', 'Моля, изтрийте профила ми.', 'deletion'], ['da', 'Slet venligst min konto.', 'deletion'], ['nb', 'Vennligst slett kontoen min.', 'deletion'], ['sk', 'Prosím, zmažte môj účet.', 'deletion'],
  ['mt', 'Jekk jogħġbok ħassru l-kont tiegħi.', 'deletion'], ['ga', 'Scrios mo chuntas le do thoil.', 'deletion'],
  ['de', 'Welche Daten habt ihr über mich gespeichert?', 'access'], ['fr', 'Quelles données avez-vous sur moi ?', 'access'], ['es', '¿Qué datos tienen sobre mí?', 'access'],
  ['it', 'Quali dati avete su di me?', 'access'], ['pt', 'Que dados têm sobre mim?', 'access'], ['nl', 'Welke gegevens hebben jullie van mij?', 'access'], ['pl', 'Jakie dane o mnie przechowujecie?', 'access'],
  ['cs', 'Jaké osobní údaje o mně zpracováváte?', 'access'], ['sv', 'Vilka personuppgifter har ni om mig?', 'access'], ['ro', 'Ce date personale dețineți despre mine?', 'access'], ['el', 'Ποια προσωπικά δεδομένα έχετε για μένα;', 'access'],
  ['da', 'Hvilke oplysninger har I om mig?', 'access'], ['hr', 'Koje podatke imate o meni?', 'access'], ['sk', 'Aké údaje o mne spracúvate?', 'access'], ['hu', 'Milyen adatokat kezelnek rólam?', 'access'],
  ['de', 'Bitte keine Werbung mehr an mich.', 'objection'], ['fr', 'Je ne veux plus recevoir votre newsletter.', 'objection'], ['es', 'No quiero recibir más publicidad.', 'objection'],
  ['it', 'Non voglio più ricevere newsletter.', 'objection'], ['pt', 'Não quero receber mais publicidade.', 'objection'], ['nl', 'Ik wil geen nieuwsbrief meer ontvangen.', 'objection'],
  ['pl', 'Nie chcę otrzymywać newslettera.', 'objection'], ['cs', 'Nechci dostávat reklamní e-maily.', 'objection'], ['sv', 'Jag vill inte ha fler nyhetsbrev.', 'objection'], ['ro', 'Nu mai doresc să primesc newsletter.', 'objection'],
  ['en', 'Please unsubscribe me from all marketing.', 'objection'], ['de', 'Bitte korrigieren Sie meinen Namen auf Max Mustermann.', 'correction'], ['fr', 'Mon adresse e-mail est erronée.', 'correction'],
  ['es', 'Mi nombre está mal escrito, corríjanlo por favor.', 'correction'], ['it', 'Il mio nome è sbagliato.', 'correction'], ['nl', 'Mijn naam is verkeerd gespeld.', 'correction'],
  ['en', 'Please export all my data as JSON.', 'portability'], ['de', 'Ich möchte meine Daten exportieren.', 'portability'], ['fr', 'Je voudrais exporter mes données.', 'portability'], ['es', 'Quiero descargar mis datos.', 'portability'],
];
describe('plain words in every language', () => {
  it.each(cases)('reads the %s mail "%s" as %s, in its language', (language, text, right) => {
    // Act
    const reading = classifyLetter('', text);
    // Assert
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights: [right], language });
  });
});
