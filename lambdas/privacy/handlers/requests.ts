import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { requestView } from '../domain/model';
import { sessionMayConfirm } from '../domain/session-confirmation';
import { RequestNotFoundError } from '../errors';
import { privacyRoutes } from '../routes';
import { requestsWiring } from '../wiring/requests';

/** The caller's own request, or 404 — exactly as for a request that does not exist. */
async function ownRequest(accountId: string, requestId: string) {
  const request = await requestsWiring().requests.get(requestId);
  if (!request || request.accountId !== accountId) throw new RequestNotFoundError();
  return request;
}

/** Privacy requests of the signed-in holder, and the mailed download link. */
export const handler = httpRoutes(
  route(privacyRoutes.open, async (event) => {
    const { type, details, password } = event.input.body;
    const { intake, links } = requestsWiring();
    const { request, joined, confirmedByPassword } = await intake.fromApi(event.principal.accountId, type, details, password);
    const confirmable = sessionMayConfirm(request, { joined, withPassword: confirmedByPassword });
    const current = confirmable ? ((await links.confirmBySession(request.requestId, confirmedByPassword)) ?? request) : request;
    event.audit = {
      targets: [{ type: 'privacy_request', id: current.requestId }],
      change: { after: { type: current.type, status: current.status } },
    };
    return json(201, { ...requestView(current), joined });
  }),
  route(privacyRoutes.list, async (event) =>
    json(200, { requests: (await requestsWiring().requests.listByAccount(event.principal.accountId)).map(requestView) }),
  ),
  route(privacyRoutes.get, async (event) => {
    const request = await ownRequest(event.principal.accountId, event.input.path.id);
    return json(200, { ...requestView(request), download: await requestsWiring().downloads.downloadUrl(request) });
  }),
  route(privacyRoutes.download, async (event) => ({
    statusCode: 302,
    headers: {
      location: await requestsWiring().downloads.downloadByLink(event.input.path.id, event.input.query.token),
      'referrer-policy': 'no-referrer',
    },
    body: '',
  })),
);
