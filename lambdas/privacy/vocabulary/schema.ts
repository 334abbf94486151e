import { z } from 'zod';

/** The rights a letter can ask for: the five request types, and restriction (Art. 18), which has none. */
export const LETTER_RIGHTS = ['access', 'portability', 'deletion', 'correction', 'objection', 'restriction'] as const;
export type LetterRight = (typeof LETTER_RIGHTS)[number];

const phrases = z.array(z.string().min(1).max(120)).default([]);

/**
 * One language's vocabulary. Phrases are written in the language's own spelling; they are folded
 * (case, diacritics) like the letters they are matched against. `stem*` matches any ending, a
 * lone `~` lets up to four words stand between two others and `~~` up to eight.
 */
export const VocabularySchema = z
  .object({
    /** BCP 47: "de", "pt-BR", "nb". */
    language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/),
    name: z.string().min(1),
    /** How the language names the GDPR: full name and abbreviations. Evidence of language and of a legal letter. */
    regulation: phrases,
    /** Other laws whose article numbers are not the GDPR's (LGPD, BDSG …): a citation of them maps to no right. */
    otherLaws: phrases,
    /** Words that come before an article number ("Art. 15", "artículo 17", "čl. 16"). */
    articleBefore: phrases,
    /** Words that come after one ("15. cikk", "17. pants", "15 straipsnis", "21 artikla"). */
    articleAfter: phrases,
    /** Abbreviations that end in a dot inside a sentence ("gem.", "Abs.", "odst."): no sentence ends there. */
    abbreviations: phrases,
    /**
     * Whether the language's clauses end with their verb (Turkish, Japanese, Korean, Hindi, Persian): there a negated
     * verb at a clause's end refuses what the clause names ("… analiz edilmesini istemiyorum"); elsewhere a negation at a
     * clause's end negates its own verb ("les statistiques ne s'affichent pas").
     */
    verbFinal: z.boolean().default(false),
    /**
     * How the language is typed without its own letters (German ö as "oe", Danish ø as "oe" and å as "aa"): every phrase is
     * matched in that spelling too — folding alone reads "löschen" typed as "loschen", not as "loeschen".
     */
    transliterations: z.record(z.string().length(1), z.string().min(1).max(3)).default({}),
    /** Frequent function words: how the language is recognised. */
    stopWords: z.array(z.string().min(1).max(30)).min(10),
    /** Words that make a sentence a request ("I request", "ich verlange", "bitte", "žádám"). */
    requestCues: phrases.pipe(z.array(z.string()).min(3)),
    /** Words that open a conditional clause ("if", "falls", "si", "se", "jeśli"): its mentions ask for nothing. */
    conditionalCues: phrases.pipe(z.array(z.string()).min(1)),
    /**
     * Words that open a condition only at the start of a sentence, being something else inside one
     * (Portuguese "se": "if" first, a pronoun after a verb — "peço que se apaguem"). A sentence that
     * opens with one is a consequence, as with `conditionalCues`.
     */
    conditionalOpeners: phrases,
    /**
     * Endings that make a verb a condition in a language whose clauses end with their verb (Turkish "-rsa"/"-rse"/"-rseniz":
     * "silerseniz", if you delete; Korean "-면": "삭제하면"): the condition runs from its clause's start to that word, as it
     * does to a clause-final `conditionalCues` word there ("…を削除した場合", "silmeniz halinde").
     */
    conditionalEndings: phrases,
    /**
     * What says "I would be grateful" ("memnun olurum", "감사하겠습니다", "je vous serais reconnaissant"): a request cue, and a
     * condition it governs is the polite form of a request ("Hesabımı silerseniz memnun olurum", "I would be grateful if you
     * could delete my account"), not a condition ("Verilerimi silerseniz ne olur?").
     */
    gratitudeCues: phrases,
    /**
     * Quantifiers and the determiners they bring between a verb and its object ("all of", "sämtliche", "l'ensemble de",
     * "todos os"): a sentence is read again without them, so "delete all of my data" is "delete my data" to a phrase. Written
     * `from > to` where taking one out leaves a contraction ("a todos os > aos": "acesso a todos os meus dados" is "acesso aos
     * meus dados"). Only words that say "all" — never "any" or "no", which negate.
     */
    quantifiers: phrases,
    /**
     * Words that open a clause of time ("before you", "bevor Sie", "antes de"): its mentions ask for
     * nothing, but unlike a condition, a sentence that opens with one still asks ("Before you close
     * my account, please export my data").
     */
    temporalCues: phrases,
    /**
     * Words after which a sentence only describes rights ("the existence of the right to …", "inform
     * other recipients"): what follows them in the sentence asks for nothing.
     */
    mentionCues: phrases,
    /**
     * The same, in languages that put the noun after what it describes (Hungarian "a törléshez való jog
     * fennállása", the existence of the right to erasure): what stands before them in their clause — and
     * the short list items before it ("a helyesbítés, a törlés … fennállása") — asks for nothing.
     */
    mentionEndCues: phrases,
    /**
     * Demonstratives ("this", "této", "dieser", "ce"): a right's one word right after one names the letter
     * itself or an earlier one ("Upon receipt of this objection", "po doručení této námitky"), not a request.
     */
    demonstratives: phrases,
    /**
     * Phrases built on a demonstrative that mean "then", "after that" ("след това", "tämän jälkeen", "după aceasta"): the
     * demonstrative in one names nothing, and a right's word after it is asked in turn ("… и след това изтрийте акаунта ми").
     */
    sequenceCues: phrases,
    /**
     * Words that turn a sentence ("but", "aber", "mais", "ali"): a description of rights ends there
     * ("I know I also have the right to object, but I want full erasure"), and what follows is read.
     */
    contrastCues: phrases,
    /** Words that give a reason ("because", "on the following grounds", "weil") or a purpose ("to avoid"): what follows them explains, it does not ask. */
    reasonCues: phrases,
    /**
     * Words that report what already happened ("already", "previously", "I received", "bereits",
     * "ho ricevuto"): in a mail that asks nothing in so many words, such a sentence tells a story —
     * it is not read as a bare request.
     */
    reportCues: phrases,
    /**
     * Words that say something happened by accident ("by mistake", "accidentally", "por error", "versehentlich"): the clause
     * holding one reports it ("I deleted my account by mistake, can you restore it?") and asks nothing, unless it asks in so
     * many words ("Please delete the account I opened by mistake").
     */
    accidentCues: phrases,
    /**
     * Words that make a letter a reminder of an earlier request that went unanswered ("no reply", "keine
     * Antwort", "upomínka", "en ole saanut vastausta"): its report of that request ("I asked you on 3
     * November for a copy of my data") names the right it asks again for, even beside a report cue.
     */
    reminderCues: phrases,
    /** Negations ("not", "nicht", "ne", "nie"): a right named just after one ("I don't want to delete my account") is not asked for. */
    negations: phrases,
    /** Closing formulas ("Kind regards", "Mit freundlichen Grüßen"): the signature follows, which never counts. */
    closings: phrases,
    /** How the language's mail clients begin the subject of an automatic reply or a delivery failure ("Automatic reply", "Autosvar", "Unzustellbar"): such mail never asks. */
    autoReplies: phrases,
    /**
     * Things the account holder manages themselves ("API key", "API-Schlüssel", "token"): a sentence
     * about deleting one of them, naming no account or data, asks how to do it, not for an erasure.
     */
    selfService: phrases,
    /**
     * Billing documents and amounts ("invoice", "Rechnung", "amount", "Betrag"): a sentence naming one is a billing
     * question — a right counts there only named with its object or article ("a wrong amount on the invoice" is no
     * correction), and a correction also when the sentence names an account field ("my company name on the invoice is wrong").
     */
    billing: phrases,
    /**
     * What a word of erasure may be said of that is not the person's data — a contract, a subscription,
     * an order, a mailing list ("cancellazione di un contratto", "löschen Sie mich aus dem Verteiler",
     * "delete me from your mailing list"): erasure whose object, right after it, is one of them asks
     * no erasure (an unsubscription is read by the objection's own words).
     */
    cancellables: phrases,
    /** Labels of an identification block ("Name:", "E-Mail-Adresse:", "Kundennummer:"): such lines identify, they never ask. */
    identificationLabels: phrases,
    /** Each right: the Regulation's heading for it, its other names, and the plain words people use. */
    rights: z.object({
      access: phrases.pipe(z.array(z.string()).min(2)),
      portability: phrases.pipe(z.array(z.string()).min(2)),
      deletion: phrases.pipe(z.array(z.string()).min(2)),
      correction: phrases.pipe(z.array(z.string()).min(2)),
      objection: phrases.pipe(z.array(z.string()).min(2)),
      restriction: phrases.pipe(z.array(z.string()).min(1)),
    }),
    /**
     * Where a copy is going: a new or another provider, a competitor ("another provider", "neuen Anbieter", "otro proveedor").
     * Beside a copy asked for (access) they make it the copy to take elsewhere, portability (Art. 20); alone they ask nothing
     * ("I am moving to another provider, delete my account" asks no export).
     */
    portabilityCues: phrases,
    /** Objection: words for direct marketing and for analytics/profiling, so the right processing stops. */
    marketing: phrases,
    analytics: phrases,
    /** Correction: the verbs that introduce the new value ("correct", "berichtigen", "rectifier"). */
    correctionVerbs: phrases,
    /**
     * Correction: words right before a value that make it the wrong one, not the new one — "X, not Y",
     * "X rather than Y", "X statt Y", "X et non Y", "X nikoliv Y".
     */
    oldValueCues: phrases,
    /** Correction: the same, right after the value, in languages that put them there ("Y helyett", "Y:n sijaan"). */
    oldValueAfterCues: phrases,
    /**
     * Correction: the account fields as the language names them. `namePart` is a part of the name
     * (surname, first name): a new value for it is never the whole name, so a person applies it.
     */
    fields: z
      .object({ name: phrases, namePart: phrases, company: phrases, website: phrases, country: phrases, email: phrases })
      .partial()
      .default({}),
    /**
     * Correction: words of a heading over label lines that say whose values follow — the values we
     * hold now ("currently registered:", "Bisher gespeichert:") identify; the correct ones ("should
     * read:", "Korrekt ist:") are the change. Of the two, the one named last in the heading decides.
     */
    correctionHeadings: z.object({ current: phrases, corrected: phrases }).default({ current: [], corrected: [] }),
  })
  .strict();

export type Vocabulary = z.infer<typeof VocabularySchema>;

/**
 * A language we have no vocabulary for, whose letters read like one we have (Occitan like French and Catalan, Galician like
 * Portuguese, Malay like Indonesian, Bosnian and Serbian like Croatian): the words that tell it from those, and the language
 * we write that its writers read, which answers them.
 */
export const KinSchema = z
  .object({
    language: z.string().regex(/^[a-z]{2,3}$/),
    name: z.string().min(1),
    /** A language we write (a reply catalogue), that the writers of this one read: the reply is in it, and says so. */
    answeredIn: z.string().min(2),
    /** The vocabularies its letters are taken for: only against these do its words tell it. */
    confusedWith: z.array(z.string()).min(1),
    /** Frequent words, as with a vocabulary's: those the vocabulary it is taken for lacks tell this language. */
    stopWords: z.array(z.string().min(1).max(30)).min(10),
    /** Letters only it writes among its neighbours (Serbian Cyrillic ј љ њ ђ ћ џ), as a character class. */
    letters: z.string().optional(),
  })
  .strict();
export type Kin = z.infer<typeof KinSchema>;
