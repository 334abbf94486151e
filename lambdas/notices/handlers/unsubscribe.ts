import { escapeHtml, html } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { NOTICE_TOPICS, type OptionalTopic } from '../../shared/notice-topics';
import { verifyUnsubscribe } from '../domain/links';
import { UnsubscribeLinkInvalidError } from '../errors';
import { noticeRoutes } from '../routes';
import { unsubscribeWiring } from '../wiring';

async function requireValid(query: { account: string; topic: string; sig: string }): Promise<OptionalTopic> {
  if (!verifyUnsubscribe(await unsubscribeWiring().linkKeys(), query.account, query.topic, query.sig))
    throw new UnsubscribeLinkInvalidError();
  return query.topic as OptionalTopic;
}

function page(title: string, paragraphs: string[], form?: string): string {
  return (
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.5"><h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${form ?? ''}</body></html>`
  );
}

/**
 * The link optional notices carry in `List-Unsubscribe`: `GET` shows a page with a button and changes
 * nothing; `POST` — the mail client's one click (RFC 8058) or the button — switches the topic's
 * preference off at once. The signature in the query is the only credential: no session, no cookie.
 */
export const handler = httpRoutes(
  route(noticeRoutes.unsubscribePage, async (event) => {
    const topic = await requireValid(event.input.query);
    const name = NOTICE_TOPICS[topic].name;
    const action = `/v1/notices/unsubscribe?${new URLSearchParams(event.input.query).toString()}`;
    const form = `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size:1.1em;padding:.5em 1.2em">Unsubscribe</button></form>`;
    return html(
      200,
      page(
        `Stop ${name.toLowerCase()}?`,
        [
          `You will no longer receive OmnAPI ${name.toLowerCase()} by mail. Security, billing and service notices continue: they cannot be turned off.`,
          'Nothing has changed yet.',
        ],
        form,
      ),
    );
  }),
  route(noticeRoutes.unsubscribe, async (event) => {
    const topic = await requireValid(event.input.query);
    const name = NOTICE_TOPICS[topic].name;
    const switched = await unsubscribeWiring().recipients.switchOff(
      event.input.query.account,
      NOTICE_TOPICS[topic].preference,
      new Date().toISOString(),
    );
    // The signed link stands for its account in this one action: the audit event is the account's. A
    // click on a topic already off (a second click, a replayed link) changed nothing and records nothing.
    if (switched && switched.before !== false) {
      event.audit = {
        by: { accountId: event.input.query.account, via: 'link:unsubscribe' },
        change: {
          before: { [NOTICE_TOPICS[topic].preference]: switched.before ?? null },
          after: { [NOTICE_TOPICS[topic].preference]: false },
        },
      };
    }
    return html(
      200,
      page('Unsubscribed', [
        `You will no longer receive OmnAPI ${name.toLowerCase()}. You can switch them on again in your account's mail preferences.`,
      ]),
    );
  }),
);
