/**
 * Requests shaped as Apollo Client 4's `HttpLink` sends them, so the benchmark measures what real clients
 * get: its default `accept` header, `content-type`, and a body with `extensions` (client awareness is on
 * by default in 4.x), its keys in the order `HttpLink` writes them.
 */
export const APOLLO_CLIENT = { name: '@apollo/client', version: '4.0.0' } as const;

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

export function clientHeaders(token: string | undefined): Record<string, string> {
  return {
    accept: `${GRAPHQL_RESPONSE},application/json;q=0.9`,
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

export function clientBody(operationName: string, query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ operationName, variables, extensions: { clientLibrary: APOLLO_CLIENT }, query });
}

/**
 * Whether a response is a success as that client reads it: 200, the media type it asked for first, data
 * and no GraphQL error. `headers` as Node or autocannon give them (any case).
 */
export function answered(status: number, headers: Record<string, unknown> | undefined, body: string): boolean {
  const type = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return status === 200 && String(type).startsWith(GRAPHQL_RESPONSE) && body.startsWith('{"data":{') && !body.includes('"errors":');
}
