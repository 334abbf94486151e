import { WeakPasswordError } from './errors';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** Passwords people reuse most; a breach-corpus check would be the next step. */
const COMMON = new Set([
  'password1234',
  'password12345',
  '123456789012',
  'qwertyuiop12',
  'iloveyou1234',
  'letmein12345',
  'administrator',
  'passw0rd1234',
  'welcome12345',
  '1q2w3e4r5t6y',
  'qwerty123456',
  'omnapi123456',
]);

/**
 * OWASP-style rules: long enough, not absurdly long (the KDF's input), not one repeated character,
 * not a well-known password, not the email — each of the password as it is hashed (NFKC) — and text
 * whose every character is one (no half of a surrogate pair).
 */
export function checkPasswordStrength(raw: string, email: string): void {
  // Half a surrogate pair (which a JSON escape can carry) is hashed as U+FFFD: all such passwords would be one.
  if (/\p{Cs}/u.test(raw)) throw new WeakPasswordError('Password must be Unicode text (it has half of a surrogate pair)');
  // Judged as it is hashed (NFKC, scrypt-hasher.ts): `ｐａｓｓｗｏｒｄ１２３４` is `password1234`.
  const password = raw.normalize('NFKC');
  const length = [...password].length;
  if (length < PASSWORD_MIN) throw new WeakPasswordError(`Password must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) throw new WeakPasswordError(`Password must be at most ${PASSWORD_MAX} characters`);
  if (new Set(password).size < 4) throw new WeakPasswordError('Password must use at least 4 different characters');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) throw new WeakPasswordError('That password is too common');
  const local = email.split('@')[0] ?? '';
  if (lower === email.toLowerCase() || (local.length >= 4 && lower.includes(local.toLowerCase()))) {
    throw new WeakPasswordError('Password must not contain your email address');
  }
}
