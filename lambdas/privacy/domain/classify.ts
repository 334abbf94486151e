import type { RequestType } from './model';

/**
 * Phrases that name each right, in English. Matched case-insensitively against the subject and the
 * new text of a message (quoted history and forwarded headers are cut first, so a reply is
 * classified by what it says now). Kept under test with a table of real phrasings.
 */
export const RIGHT_PHRASES: Record<RequestType, RegExp[]> = {
  access: [
    /\b(subject|data) access request\b/,
    /\bdsar\b/,
    /\baccess (to )?(my|all my|the|all the) (personal )?(data|information)\b/,
    /\bwhat (personal )?(data|information) (do )?you (hold|have|keep|store|process)\b/,
    /\b(see|view|know|tell me) (what|which) (personal )?(data|information)\b/,
    /\bright of access\b/,
    /\bart(icle|\.)? ?15\b/,
  ],
  portability: [
    /\b(a )?cop(y|ies) of (all )?(my|the) (personal )?(data|information)\b/,
    /\b(export|download) (all )?(of )?(my|the) (personal )?(data|information|account data)\b/,
    /\bdata portability\b/,
    /\bportab(le|ility)\b/,
    /\bsend me (all )?(my|the) (personal )?(data|information)\b/,
    /\bart(icle|\.)? ?20\b/,
  ],
  deletion: [
    /\b(delete|remove|erase|wipe|destroy) (all )?(of )?(my|the) (personal )?(account|data|information|details|profile)\b/,
    /\b(delete|close|cancel|terminate|deactivate) (my )?account\b/,
    /\bforget (about )?me\b/,
    /\bright (to|of) (be(ing)? )?(forgotten|erasure)\b/,
    /\berasure\b/,
    /\bart(icle|\.)? ?17\b/,
  ],
  correction: [
    /\b(correct|rectify|fix|update|change|amend) (my|the) (name|e-?mail( address)?|address|profile|details|information|data|company|country|website)\b/,
    /\b(my|the) (name|e-?mail( address)?|address|details|information|data|company|country) (is|are) (wrong|incorrect|inaccurate|out of date|outdated|misspelt|misspelled)\b/,
    /\brectif(y|ication)\b/,
    /\binaccurate (personal )?(data|information)\b/,
    /\bart(icle|\.)? ?16\b/,
  ],
  objection: [
    /\bopt[- ]?out\b/,
    /\bopt (me|us) out\b/,
    /\bobject(ion)? to\b/,
    /\bi object\b/,
    /\bstop (processing|using|analy[sz]ing|tracking) (my|me)\b/,
    /\bunsubscribe me from (analytics|tracking|marketing|product updates)\b/,
    /\b(no|don't|do not) (use my data for )?(analytics|tracking|profiling)\b/,
    /\bright to object\b/,
    /\bart(icle|\.)? ?21\b/,
  ],
};

/** Lines that begin a reply's quoted history or a forwarded message: everything from there on is old text. */
const HISTORY_STARTS = [
  /^On .{4,200}wrote:\s*$/m,
  /^-{2,} ?(Original Message|Forwarded message) ?-{2,}/im,
  /^Begin forwarded message:/m,
  /^From: .+\n(Sent|Date): /m,
  /^_{10,}$/m,
];

/** The new text of a message: quoted lines (`>`) and everything after a reply or forward marker removed. */
export function newTextOf(text: string): string {
  let cut = text.replace(/\r\n/g, '\n');
  for (const marker of HISTORY_STARTS) {
    const match = marker.exec(cut);
    if (match) cut = cut.slice(0, match.index);
  }
  return cut
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n')
    .trim();
}

/**
 * The rights a text asks for (none, one or several). Asking what we hold and for "a copy" of it is
 * one request in practice (art. 15(3) gives a copy): access and portability together count as access.
 */
export function rightsIn(text: string): RequestType[] {
  const normalised = text.replace(/\s+/g, ' ').toLowerCase().replace(/[’‘]/g, "'");
  const found = (Object.keys(RIGHT_PHRASES) as RequestType[]).filter((type) => RIGHT_PHRASES[type].some((phrase) => phrase.test(normalised)));
  return found.includes('access') && found.includes('portability') ? found.filter((type) => type !== 'portability') : found;
}

/** A forwarded message inside a mail: what the forward carries (its quoted lines excluded). */
function forwardedPart(text: string): string | undefined {
  const marker = /^(-{2,} ?Forwarded message ?-{2,}|Begin forwarded message:)/im.exec(text);
  if (!marker) return undefined;
  const lines = text.slice(marker.index + marker[0].length).split('\n');
  // The forwarded message's own header lines (From:, Date:, Subject:, To:) come first.
  while (lines.length && (/^\s*$/.test(lines[0]!) || /^(From|Date|Sent|Subject|To|Cc|Reply-To):/i.test(lines[0]!))) lines.shift();
  return lines.filter((line) => !line.trimStart().startsWith('>')).join('\n');
}

/**
 * Classifies a privacy mail by its subject and new text. A reply's quoted history never counts; a
 * forward whose own words name nothing ("see below") is classified by the message it forwards.
 */
export function classifyMail(subject: string, text: string): RequestType[] {
  const fresh = rightsIn(`${subject.replace(/^((re|fwd?|aw|wg|tr):\s*)+/i, '')}\n${newTextOf(text)}`);
  if (fresh.length) return fresh;
  const forwarded = forwardedPart(text.replace(/\r\n/g, '\n'));
  return forwarded ? rightsIn(forwarded) : [];
}

/** How to ask for each right: the help reply when a mail names none or several. */
export const HOW_TO_ASK: Record<RequestType, string> = {
  access: 'Access — what data we hold about you: write "access to my data" (or, signed in, POST /v1/privacy/requests {"type":"access"}).',
  portability: 'Portability — a copy of your data to take elsewhere: write "send me a copy of my data" ({"type":"portability"}).',
  deletion: 'Deletion — erase your account and data: write "delete my account" ({"type":"deletion"}).',
  correction: 'Correction — fix wrong data: write "correct my name to …" with the right value ({"type":"correction","details":"…"}).',
  objection: 'Objection — stop analytics or product mail: write "opt out of analytics" ({"type":"objection"}).',
};
