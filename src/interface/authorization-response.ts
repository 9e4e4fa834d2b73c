import { errorResponse } from './error-response.js';

/**
 * An `authorize` hook of the HTTP handlers: `true` serves the request; `false` refuses it; a
 * `Response` is sent as it is.
 *
 * @internal
 */
export type AuthorizeHook = (request: Request) => boolean | Response | Promise<boolean | Response>;

/**
 * What the HTTP handlers (the notification log's and the event browser's) answer a request
 * that `authorize` does not let through: null when it may read; the hook's own `Response`;
 * else a 401 when the request has no `Authorization` header and a 403 when it has one, the
 * message saying it may not read `what`.
 *
 * @throws whatever `authorize` throws (the handlers answer 500).
 * @internal
 */
export async function authorizationResponse(
  authorize: AuthorizeHook | undefined,
  request: Request,
  what: string,
): Promise<Response | null> {
  if (authorize === undefined) return null;
  const verdict = await authorize(request);
  if (verdict instanceof Response) return verdict;
  if (verdict === true) return null;
  return request.headers.has('authorization')
    ? errorResponse(403, `Forbidden: these credentials may not read ${what}.`)
    : errorResponse(401, 'Unauthorized: send credentials in the Authorization header.', {
        'WWW-Authenticate': 'Bearer',
      });
}
