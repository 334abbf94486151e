import { classifyLetter } from '../../../lambdas/privacy/domain/classify';
/** Short, informal mails: the plain verbs and questions people write, one right each, in many languages. */
const cases: [string, string, string][] = [
  ['de', 'Löscht bitte meinen Account.', 'deletion'],
  ['fr', 'Effacez mes données svp.', 'deletion'],
  ['es', 'Borren mi cuenta por favor.', 'deletion'],
  ['it', 'Cancellate i miei dati.', 'deletion'],
  ['pt', 'Apaguem a minha conta.', 'deletion'],
  ['nl', 'Verwijder mijn account alsjeblieft.', 'deletion'],
  ['pl', 'Usuńcie moje konto.', 'deletion'],
  ['cs', 'Smažte můj účet.', 'deletion'],
  ['sv', 'Radera mitt konto.', 'deletion'],
  ['ro', 'Ștergeți contul meu.', 'deletion'],
  ['el', 'Διαγράψτε τον λογαριασμό μου.', 'deletion'],
  ['hr', 'Obrišite moj račun.', 'deletion'],
  ['hu', 'Kérem, töröljék a fiókomat.', 'deletion'],
  ['fi', 'Poistakaa tilini.', 'deletion'],
  ['et', 'Palun kustutage minu konto.', 'deletion'],
  ['lv', 'Lūdzu, dzēsiet manu kontu.', 'deletion'],
  ['lt', 'Prašau ištrinti mano paskyrą.', 'deletion'],
  ['sl', 'Prosim, izbrišite moj račun.', 'deletion'],
  ['bg', 'Моля, изтрийте профила ми.', 'deletion'],
  ['da', 'Slet venligst min konto.', 'deletion'],
  ['nb', 'Vennligst slett kontoen min.', 'deletion'],
  ['sk', 'Prosím, zmažte môj účet.', 'deletion'],
  ['mt', 'Jekk jogħġbok ħassru l-kont tiegħi.', 'deletion'],
  ['ga', 'Scrios mo chuntas le do thoil.', 'deletion'],
  ['de', 'Welche Daten habt ihr über mich gespeichert?', 'access'],
  ['fr', 'Quelles données avez-vous sur moi ?', 'access'],
  ['es', '¿Qué datos tienen sobre mí?', 'access'],
  ['it', 'Quali dati avete su di me?', 'access'],
  ['pt', 'Que dados têm sobre mim?', 'access'],
  ['nl', 'Welke gegevens hebben jullie van mij?', 'access'],
  ['pl', 'Jakie dane o mnie przechowujecie?', 'access'],
  ['cs', 'Jaké osobní údaje o mně zpracováváte?', 'access'],
  ['sv', 'Vilka personuppgifter har ni om mig?', 'access'],
  ['ro', 'Ce date personale dețineți despre mine?', 'access'],
  ['el', 'Ποια προσωπικά δεδομένα έχετε για μένα;', 'access'],
  ['da', 'Hvilke oplysninger har I om mig?', 'access'],
  ['hr', 'Koje podatke imate o meni?', 'access'],
  ['sk', 'Aké údaje o mne spracúvate?', 'access'],
  ['hu', 'Milyen adatokat kezelnek rólam?', 'access'],
  ['de', 'Bitte keine Werbung mehr an mich.', 'objection'],
  ['fr', 'Je ne veux plus recevoir votre newsletter.', 'objection'],
  ['es', 'No quiero recibir más publicidad.', 'objection'],
  ['it', 'Non voglio più ricevere newsletter.', 'objection'],
  ['pt', 'Não quero receber mais publicidade.', 'objection'],
  ['nl', 'Ik wil geen nieuwsbrief meer ontvangen.', 'objection'],
  ['pl', 'Nie chcę otrzymywać newslettera.', 'objection'],
  ['cs', 'Nechci dostávat reklamní e-maily.', 'objection'],
  ['sv', 'Jag vill inte ha fler nyhetsbrev.', 'objection'],
  ['ro', 'Nu mai doresc să primesc newsletter.', 'objection'],
  ['en', 'Please unsubscribe me from all marketing.', 'objection'],
  ['de', 'Bitte korrigieren Sie meinen Namen auf Max Mustermann.', 'correction'],
  ['fr', 'Mon adresse e-mail est erronée.', 'correction'],
  ['es', 'Mi nombre está mal escrito, corríjanlo por favor.', 'correction'],
  ['it', 'Il mio nome è sbagliato.', 'correction'],
  ['nl', 'Mijn naam is verkeerd gespeld.', 'correction'],
  ['ro', 'Vă rog să nu-mi mai trimiteți e-mailuri de marketing.', 'objection'],
  ['pt', 'Gostaria de receber os meus dados num formato legível por máquina.', 'portability'],
  ['en', 'Please export all my data as JSON.', 'portability'],
  ['de', 'Ich möchte meine Daten exportieren.', 'portability'],
  ['fr', 'Je voudrais exporter mes données.', 'portability'],
  ['es', 'Quiero descargar mis datos.', 'portability'],
];
describe('plain words in every language', () => {
  it.each(cases)('reads the %s mail "%s" as %s, in its language', (language, text, right) => {
    // Act
    const reading = classifyLetter('', text);
    // Assert
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights: [right], language });
  });
});

/** Short formal letters in the languages the corpus has fewest of: every right, every way of citing an article. */
const formal: [string, string, string, string[]][] = [
  [
    'sk',
    'Žiadosť o vymazanie',
    'Vážení, týmto žiadam podľa článku 17 GDPR o vymazanie všetkých mojich osobných údajov. S pozdravom, Ján Kováč',
    ['deletion'],
  ],
  ['sk', 'Prístup k údajom', 'Dobrý deň, žiadam o prístup k mojim osobným údajom podľa čl. 15 GDPR a o ich kópiu. Ďakujem', ['access']],
  [
    'sl',
    'Dostop do podatkov',
    'Spoštovani, na podlagi 15. člena Splošne uredbe o varstvu podatkov zahtevam dostop do mojih osebnih podatkov in kopijo teh podatkov. Lep pozdrav',
    ['access'],
  ],
  [
    'sl',
    'Ugovor',
    'Spoštovani, ugovarjam obdelavi mojih osebnih podatkov za namene neposrednega trženja (21. člen GDPR). Hvala',
    ['objection'],
  ],
  ['hu', 'Helyesbítés', 'Tisztelt Hölgyem/Uram! Kérem a nevem helyesbítését, mert hibásan szerepel. Tisztelettel', ['correction']],
  [
    'hu',
    'Tiltakozás',
    'Tisztelt Hölgyem/Uram! A GDPR 21. cikke alapján tiltakozom személyes adataim közvetlen üzletszerzési célú kezelése ellen. Üdvözlettel',
    ['objection'],
  ],
  [
    'fi',
    'Tietojen poistaminen',
    'Hyvä vastaanottaja, pyydän tietosuoja-asetuksen 17 artiklan mukaisesti poistamaan kaikki minua koskevat henkilötiedot. Ystävällisin terveisin',
    ['deletion'],
  ],
  ['fi', 'Suoramarkkinointi', 'Hei, kiellän henkilötietojeni käytön suoramarkkinointiin. Terveisin', ['objection']],
  [
    'et',
    'Andmete kustutamine',
    'Lugupeetud, palun kustutada kõik minu isikuandmed vastavalt isikuandmete kaitse üldmääruse artiklile 17. Lugupidamisega',
    ['deletion'],
  ],
  ['et', 'Juurdepääs', 'Tere, soovin tutvuda minu kohta töödeldavate isikuandmetega (IKÜM artikkel 15). Aitäh', ['access']],
  ['lv', 'Datu dzēšana', 'Labdien! Saskaņā ar VDAR 17. pantu lūdzu dzēst visus manus personas datus. Ar cieņu', ['deletion']],
  ['lv', 'Iebildums', 'Labdien! Iebilstu pret manu datu apstrādi tiešās tirgvedības nolūkos. Ar cieņu', ['objection']],
  [
    'lt',
    'Prašymas ištrinti duomenis',
    'Gerbiamieji, vadovaudamasis BDAR 17 straipsniu, prašau ištrinti visus mano asmens duomenis. Pagarbiai',
    ['deletion'],
  ],
  [
    'lt',
    'Prašymas susipažinti',
    'Gerbiamieji, prašau leisti susipažinti su mano asmens duomenimis pagal BDAR 15 straipsnį. Pagarbiai',
    ['access'],
  ],
  [
    'bg',
    'Искане за достъп',
    'Уважаеми господа, на основание чл. 15 от ОРЗД моля да ми предоставите достъп до личните ми данни и копие от тях. С уважение',
    ['access'],
  ],
  [
    'bg',
    'Възражение',
    'Уважаеми господа, възразявам срещу обработването на личните ми данни за целите на директния маркетинг. С уважение',
    ['objection'],
  ],
  [
    'mt',
    'Talba għal aċċess',
    'Għażiż Sinjur, qed nitlob aċċess għad-data personali tiegħi skont l-Artikolu 15 tal-GDPR. Grazzi',
    ['access'],
  ],
  ['ga', 'Iarratas ar rochtain', 'A chara, iarraim rochtain ar mo shonraí pearsanta faoi Airteagal 15 den RGCS. Le meas', ['access']],
  ['da', 'Berigtigelse', 'Hej, mit navn er stavet forkert. Ret det venligst til Søren Kierkegaard. Med venlig hilsen', ['correction']],
  [
    'nb',
    'Sletting',
    'Hei, jeg krever sletting av alle personopplysninger om meg, jf. personvernforordningen artikkel 17. Vennlig hilsen',
    ['deletion'],
  ],
  ['nb', 'Protest', 'Hei, jeg protesterer mot at dere bruker opplysningene mine til direkte markedsføring. Hilsen', ['objection']],
  [
    'hr',
    'Prigovor',
    'Poštovani, ulažem prigovor na obradu mojih osobnih podataka u svrhu izravnog marketinga. S poštovanjem',
    ['objection'],
  ],
  [
    'hr',
    'Prenosivost',
    'Poštovani, temeljem članka 20. Opće uredbe tražim da mi moje podatke dostavite u strukturiranom, strojno čitljivom formatu. S poštovanjem',
    ['portability'],
  ],
  [
    'cs',
    'Přenositelnost',
    'Dobrý den, žádám o předání mých údajů ve strukturovaném, běžně používaném a strojově čitelném formátu (čl. 20 GDPR). S pozdravem',
    ['portability'],
  ],
  ['ro', 'Restricționare', 'Bună ziua, solicit restricționarea prelucrării datelor mele conform art. 18 GDPR. Cu stimă', ['restriction']],
  [
    'el',
    'Φορητότητα',
    'Αξιότιμοι κύριοι, ζητώ τη φορητότητα των δεδομένων μου σε δομημένο, κοινώς χρησιμοποιούμενο και αναγνώσιμο από μηχανήματα μορφότυπο. Με εκτίμηση',
    ['portability'],
  ],
  [
    'pl',
    'Ograniczenie',
    'Szanowni Państwo, żądam ograniczenia przetwarzania moich danych na podstawie art. 18 RODO. Z poważaniem',
    ['restriction'],
  ],
  [
    'it',
    'Limitazione',
    "Gentili Signori, chiedo la limitazione del trattamento dei miei dati ai sensi dell'art. 18 GDPR. Cordiali saluti",
    ['restriction'],
  ],
  [
    'nl',
    'Beperking',
    'Geachte heer/mevrouw, ik verzoek u de verwerking van mijn gegevens te beperken op grond van artikel 18 AVG. Met vriendelijke groet',
    ['restriction'],
  ],
];
describe('formal letters in every language', () => {
  it.each(formal)('reads the %s letter "%s" as asked, in its language', (language, subject, text, rights) => {
    // Arrange
    const letter = text.replace(/\. /g, '.\n\n');
    // Act
    const reading = classifyLetter(subject, letter);
    // Assert
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights, language });
  });
});

/** Everyday mails with a greeting and a sign-off, written after the rules above (19 of 24 were read right before the vocabulary was completed). */
const everyday: [string, string, string, string[]][] = [
  [
    'en',
    'Please delete',
    'Hi there,\n\nI signed up by mistake. Please remove my account and any data you have on me.\n\nThanks\nKate\n--\nKate Moss | Data Protection & Erasure Consultant',
    ['deletion'],
  ],
  [
    'en',
    'GDPR',
    'To the DPO,\n\nUnder the GDPR I would like a copy of all the information you hold on me, including call logs and billing records.\n\nRegards,\nM. Patel',
    ['access'],
  ],
  ['en', 'Wrong country', 'My account says I am in the US but I live in Ireland. Please change my country to IE.', ['correction']],
  [
    'en',
    'Marketing',
    'I keep getting your product update emails. I want them to stop. Also I do not consent to any tracking.',
    ['objection'],
  ],
  [
    'de',
    'Datenauskunft',
    'Hallo zusammen,\n\nkönnt ihr mir sagen, welche Daten ihr über mich gespeichert habt? Eine Kopie wäre super.\n\nLG\nTim',
    ['access'],
  ],
  [
    'de',
    'Konto schließen',
    'Guten Tag,\nich möchte mein Konto schließen und bitte Sie, alle meine Daten zu entfernen.\nDanke',
    ['deletion'],
  ],
  ['de', 'Werbung', 'Sehr geehrte Damen und Herren,\nich möchte keine Werbe-E-Mails mehr von Ihnen erhalten.\nMfG', ['objection']],
  [
    'fr',
    'Mes données',
    "Bonjour,\nPourriez-vous m'envoyer une copie de toutes les données personnelles que vous détenez sur moi ?\nMerci",
    ['access'],
  ],
  ['fr', 'Compte', 'Bonjour, je souhaite la fermeture de mon compte et la suppression de mes données. Bonne journée', ['deletion']],
  ['es', 'Datos', 'Hola,\n¿Me podrían enviar todos los datos personales que tienen sobre mí? Gracias.', ['access']],
  ['es', 'Baja', 'Buenas tardes, quiero darme de baja y que eliminen todos mis datos. Un saludo', ['deletion']],
  ['it', 'Newsletter', 'Buongiorno, non desidero più ricevere comunicazioni promozionali. Grazie', ['objection']],
  ['it', 'Dati', 'Salve, vorrei sapere quali dati personali conservate su di me. Grazie mille', ['access']],
  ['pt', 'Dados', 'Olá, gostaria de saber que dados pessoais guardam sobre mim e receber uma cópia. Obrigado', ['access']],
  ['nl', 'Gegevens', 'Hallo, ik wil graag weten welke gegevens jullie van mij bewaren. Groet, Sem', ['access']],
  ['nl', 'Opzeggen', 'Hoi, ik wil mijn account opzeggen en al mijn gegevens laten verwijderen. Dank!', ['deletion']],
  ['pl', 'Dane', 'Dzień dobry, chciałbym otrzymać kopię moich danych osobowych. Pozdrawiam', ['access']],
  ['cs', 'Údaje', 'Dobrý den, chtěl bych vědět, jaké osobní údaje o mně uchováváte. Děkuji', ['access']],
  ['sv', 'Konto', 'Hej! Jag vill att ni tar bort mitt konto och alla mina uppgifter. Tack', ['deletion']],
  ['ro', 'Date', 'Bună ziua, aș dori o copie a datelor mele personale. Mulțumesc', ['access']],
  ['el', 'Δεδομένα', 'Καλησπέρα, θα ήθελα να μάθω ποια δεδομένα μου διατηρείτε. Ευχαριστώ', ['access']],
  ['el', 'Διαφημίσεις', 'Γεια σας, δεν επιθυμώ να λαμβάνω άλλα διαφημιστικά μηνύματα. Ευχαριστώ', ['objection']],
  ['da', 'Data', 'Hej, jeg vil gerne have en kopi af de oplysninger, I har om mig. Tak', ['access']],
  ['fi', 'Tili', 'Hei, haluan että poistatte tilini ja kaikki tietoni. Kiitos', ['deletion']],
];
describe('everyday mails', () => {
  it.each(everyday)('reads the %s mail "%s" as asked, in its language', (language, subject, text, rights) => {
    // Act
    const reading = classifyLetter(subject, text);
    // Assert
    expect({ rights: reading.rights, language: reading.language }).toEqual({ rights, language });
  });
});
