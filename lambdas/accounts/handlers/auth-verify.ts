import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { verifyWiring } from '../wiring';

const STATUS = { verify_email: 'verified', change_email: 'email_changed', unlock_sign_in: 'sign_in_unlocked' } as const;
const AUDIT_ACTION = { verify_email: 'email.verify', change_email: 'email.change', unlock_sign_in: 'sign_in.unlock' } as const;

/** `GET /v1/auth/verify?token=…`: the single-use link from a verification, email-change or "was this you?" mail. */
export const handler = httpRoutes(
  route(accountRoutes.verify, async (event) => {
    const { purpose, accountId, emailChange } = await verifyWiring().accountService.confirmEmailToken(
      event.input.query.token,
      originOf(event),
    );
    event.audit = {
      action: AUDIT_ACTION[purpose],
      by: { accountId, via: `link:${purpose}` },
      ...(emailChange ? { change: { before: { email: emailChange.from }, after: { email: emailChange.to } } } : {}),
    };
    return json(200, { status: STATUS[purpose] });
  }),
);
