/**
 * The JSON error response of the HTTP handlers (the notification log's and the event
 * browser's): `{"error": message}` with the status, never cached, with `headers` added.
 *
 * @internal
 */
export function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
  });
}
