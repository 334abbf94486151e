import { z } from 'zod';
import { type Authenticator, authenticator } from '../../shared/auth/authenticator';
import { verifyStripeEvent } from '../../shared/adapters/stripe-client';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import type { StripeEvent } from '../domain/stripe-events';
import { InvalidSignatureError } from '../errors';

/** What every Stripe event has; ids become keys, so they are bounded. */
const StripeEventShape = z.looseObject({
  id: z.string().regex(/^[\w-]{1,255}$/),
  type: z.string().min(1).max(200),
  data: z.looseObject({ object: z.record(z.string(), z.unknown()) }),
});

/** Stripe's default tolerance for a signature's age, applied to clock skew the other way too. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Stripe events are far below this; anything larger is not from Stripe. */
const MAX_EVENT_BYTES = 512 * 1024;

/**
 * The date Stripe's SDK verifies a header against, read as it reads it: the last `t=` item, parsed
 * with parseInt (so `t=1.5`, a second `t` or a millisecond date are what it signs and checks).
 */
function signedTimestamp(signature: string): number {
  const stamps = signature
    .split(',')
    .map((item) => item.split('='))
    .filter(([key]) => key === 't');
  return Number.parseInt(stamps.at(-1)?.[1] ?? '', 10);
}

/** Stripe's check refuses old signatures only; one dated ahead of our clock by more than its tolerance is refused too. */
function rejectFutureTimestamp(signature: string, nowMs: number): void {
  const timestamp = signedTimestamp(signature);
  if (Number.isFinite(timestamp) && timestamp * 1000 - nowMs > SIGNATURE_TOLERANCE_SECONDS * 1000) {
    throw new InvalidSignatureError('Timestamp is in the future');
  }
}

/**
 * The authenticator of `stripeSignature` routes: the raw body is verified with Stripe's SDK against
 * the webhook signing secret before anything reads it, and the caller it resolves is the verified
 * event itself (shaped: id, type, data.object). A missing, forged, stale or future-dated signature is
 * a 400 `invalid_signature`; a signed body that is not a Stripe event a 400 `invalid_payload`.
 */
export function stripeSignatureAuthenticator(
  webhookSecret: () => Promise<string>,
  now: () => number = Date.now,
): Authenticator<StripeEvent> {
  return authenticator('stripeSignature', async (request) => {
    const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
    if (raw.byteLength > MAX_EVENT_BYTES) throw new PayloadTooLargeError(MAX_EVENT_BYTES);
    const signature = request.headers?.['stripe-signature'];
    if (!signature) throw new InvalidSignatureError('no Stripe-Signature header');
    rejectFutureTimestamp(signature, now());
    let verified: unknown;
    try {
      verified = verifyStripeEvent(raw, signature, await webhookSecret());
    } catch (error) {
      // Stripe verifies first and parses after: a SyntaxError means the signature held but the body is not JSON.
      if (error instanceof SyntaxError) throw new ValidationError('The signed body is not a JSON event', [], 'invalid_payload');
      throw new InvalidSignatureError((error as Error).message.split('\n')[0]!.slice(0, 200));
    }
    const shaped = StripeEventShape.safeParse(verified);
    if (!shaped.success) throw new ValidationError('The signed body is not a Stripe event (id, type, data.object)', [], 'invalid_payload');
    return shaped.data as StripeEvent;
  });
}
