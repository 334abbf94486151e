import type { Mailer } from '../../shared/mailer';
import type { RequestLifecycle } from './lifecycle';
import type { RequestStore } from './ports';

/** The processing an account holder can object to, as account preferences. */
export interface OptOuts {
  analytics?: false;
  productUpdates?: false;
}

/** Port: sets the account's processing preferences. */
export interface PreferenceWriter {
  optOut(accountId: string, optOuts: OptOuts): Promise<void>;
}

/**
 * What an objection stops, read from its words: usage analytics, product mail, or — when it names
 * neither or both — both. Billing and security processing are not optional and never stop here.
 */
export function optOutsFor(details: string | undefined): OptOuts {
  const text = (details ?? '').toLowerCase();
  const analytics = /analytic|tracking|profil|statistic/.test(text);
  const mail = /product|marketing|newsletter|update mail|promotion/.test(text);
  if (analytics && !mail) return { analytics: false };
  if (mail && !analytics) return { productUpdates: false };
  return { analytics: false, productUpdates: false };
}

/** Applies a confirmed objection, tells the holder exactly what changed, and closes the request. */
export async function applyObjection(
  requestId: string,
  deps: { requests: RequestStore; preferences: PreferenceWriter; mailer: Mailer; lifecycle: RequestLifecycle },
): Promise<OptOuts> {
  const request = await deps.lifecycle.require(requestId);
  const optOuts = optOutsFor(request.details);
  if (request.status === 'completed') return optOuts;
  await deps.preferences.optOut(request.accountId, optOuts);
  const stopped = [optOuts.analytics === false ? 'usage analytics (your calls no longer count in product-wide statistics, from the next recorded call on)' : '', optOuts.productUpdates === false ? 'product-update mail' : ''].filter(Boolean);
  await deps.mailer.send({
    to: request.email,
    subject: `Your objection ${requestId} is applied`,
    text: [
      `As you asked, we have stopped: ${stopped.join(' and ')}.`,
      'Billing, security and the 90-day call logs continue: they are needed to provide the service and to protect your account.',
      'You can change these choices any time with PUT /v1/account/preferences.',
      '',
      'OmnAPI privacy team — privacy@omnapi.com',
    ].join('\n'),
  });
  await deps.lifecycle.close(requestId, 'completed', `objection applied: ${Object.keys(optOuts).join(', ')} off`, ['in_progress']);
  return optOuts;
}
