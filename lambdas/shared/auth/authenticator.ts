import type { HttpEvent } from '../http';
import type { RouteAuth } from '../routes';

/**
 * Resolves a route's caller from the request, or throws (401, or 400 for a malformed proof). Tagged
 * with the scheme it implements, so `route()` can check it is the one the manifest names: a
 * `stripeSignature` route cannot run behind a session check, nor a session route behind none.
 */
export type Authenticator<A> = ((event: HttpEvent) => Promise<A>) & { readonly scheme: Exclude<RouteAuth, 'public'> };

export function authenticator<A>(scheme: Authenticator<A>['scheme'], resolve: (event: HttpEvent) => Promise<A>): Authenticator<A> {
  return Object.assign((event: HttpEvent) => resolve(event), { scheme });
}
