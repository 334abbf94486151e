import { escapeHtml, type HttpResponse, html, json, linkPage, wantsJson } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { NOTICE_TOPIC_NAMES, NOTICE_TOPICS, type OptionalTopic, topicAllowed } from '../../shared/notice-topics';
import { checkUnsubscribe, type UnsubscribeLink } from '../domain/links';
import { UnsubscribeAccountGoneError, UnsubscribeLinkExpiredError, UnsubscribeLinkInvalidError } from '../errors';
import { noticeRoutes } from '../routes';
import { unsubscribeWiring } from '../wiring';

/** The link's topic, once its signature holds and it has not expired; else the error a person reads. */
async function requireValid(link: UnsubscribeLink): Promise<OptionalTopic> {
  const verdict = checkUnsubscribe(await unsubscribeWiring().linkKeys(), link, new Date());
  if (verdict === 'invalid') throw new UnsubscribeLinkInvalidError();
  if (verdict === 'expired') throw new UnsubscribeLinkExpiredError(new Date(link.exp * 1000));
  return link.topic as OptionalTopic;
}

const MANDATORY = NOTICE_TOPIC_NAMES.filter((t) => NOTICE_TOPICS[t].mandatory).map((topic) => ({ topic, name: NOTICE_TOPICS[topic].name }));

/** What the link does, as the console's page reads it. */
function viewOf(link: UnsubscribeLink, topic: OptionalTopic, subscribed: boolean, changed?: boolean) {
  return {
    topic,
    name: NOTICE_TOPICS[topic].name,
    subscribed,
    ...(changed === undefined ? {} : { changed }),
    continues: MANDATORY,
    expiresAt: new Date(link.exp * 1000).toISOString(),
  };
}

const continuesText = `${MANDATORY.map((t) => t.name).join(', ')} continue: they cannot be turned off.`;

/**
 * Answers the console as JSON and a browser as a plain page. A link that is altered, expired or whose
 * account is gone is a page too for the browser (a person clicked it), never a stack or a JSON body.
 */
async function answer(
  event: { headers?: Record<string, string | undefined> },
  work: () => Promise<{ view: ReturnType<typeof viewOf>; page: HttpResponse }>,
) {
  if (wantsJson(event)) return json(200, (await work()).view);
  try {
    return (await work()).page;
  } catch (error) {
    if (error instanceof UnsubscribeLinkExpiredError) return html(410, linkPage('This link has expired', [error.message]));
    if (error instanceof UnsubscribeLinkInvalidError || error instanceof UnsubscribeAccountGoneError)
      return html(404, linkPage('This link does not work', [error.message]));
    throw error;
  }
}

/**
 * The `List-Unsubscribe` URL optional notices carry (the mail's text links to the console's page, which
 * calls the same): `GET` says what stops and changes nothing; `POST` — the mail client's one click (RFC
 * 8058) or a button — switches the topic's preference off at once. The signature in the query is the
 * only credential (no session, no cookie), and it covers the link's expiry.
 */
export const handler = httpRoutes(
  route(noticeRoutes.unsubscribePage, async (event) =>
    answer(event, async () => {
      const link = event.input.query;
      const topic = await requireValid(link);
      const recipient = await unsubscribeWiring().recipients.get(link.account);
      if (!recipient) throw new UnsubscribeAccountGoneError();
      const subscribed = topicAllowed(topic, recipient.preferences);
      const name = NOTICE_TOPICS[topic].name.toLowerCase();
      const action = `/v1/notices/unsubscribe?${new URLSearchParams({ ...link, exp: String(link.exp) }).toString()}`;
      const form = `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size:1.1em;padding:.5em 1.2em">Unsubscribe</button></form>`;
      return {
        view: viewOf(link, topic, subscribed),
        page: html(
          200,
          subscribed
            ? linkPage(`Stop ${name}?`, [`You will no longer receive OmnAPI ${name} by mail.`, continuesText, 'Nothing has changed yet.'], {
                form,
              })
            : linkPage('Already unsubscribed', [`You no longer receive OmnAPI ${name}. ${continuesText}`]),
        ),
      };
    }),
  ),
  route(noticeRoutes.unsubscribe, async (event) =>
    answer(event, async () => {
      const link = event.input.query;
      const topic = await requireValid(link);
      const { preference } = NOTICE_TOPICS[topic];
      const switched = await unsubscribeWiring().recipients.switchOff(link.account, preference, new Date().toISOString());
      if (!switched) throw new UnsubscribeAccountGoneError();
      // The signed link stands for its account in this one action: the audit event is the account's. A
      // click on a topic already off (a second click, a replayed link) changed nothing and records nothing.
      const changed = switched.before !== false;
      if (changed) {
        event.audit = {
          by: { accountId: link.account, via: 'link:unsubscribe' },
          change: { before: { [preference]: switched.before ?? null }, after: { [preference]: false } },
        };
      }
      const name = NOTICE_TOPICS[topic].name.toLowerCase();
      return {
        view: viewOf(link, topic, false, changed),
        page: html(
          200,
          linkPage(changed ? 'Unsubscribed' : 'Already unsubscribed', [
            `You will no longer receive OmnAPI ${name}. You can switch them on again in the console's settings (Mail preferences).`,
          ]),
        ),
      };
    }),
  ),
);
