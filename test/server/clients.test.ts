import { Client, cacheExchange, fetchExchange, subscriptionExchange, type OperationResult } from '@urql/core';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newTimeline, newUser } from '../support/factories';
import { rawRequest, useTestServer } from './support';

/** The client set-ups the README shows, run against the server with CSRF prevention on (as it always is). */
describe('clients as the README sets them up', () => {
  const server = useTestServer({ config: { production: false } });
  const sockets: { dispose(): void }[] = [];
  afterAll(() => sockets.forEach((socket) => socket.dispose()));

  it('introspection keeps the DateTime scalar its description', async () => {
    const response = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json,application/json;q=0.9' },
      body: JSON.stringify({ query: '{ __type(name: "DateTime") { kind description } }', extensions: { clientLibrary: { name: '@apollo/client', version: '4.0.0' } } }),
    });
    expect(response.json.data.__type).toEqual({ kind: 'SCALAR', description: 'An instant, as an ISO 8601 string in UTC (`2026-01-31T12:00:00.000Z`).' });
  });

  it("urql's default GET is refused by CSRF prevention; preferGetMethod: false or a preflight header serve it", async () => {
    const query = '{ __typename }';
    const plain = new Client({ url: server.url, exchanges: [cacheExchange, fetchExchange] });
    const refused = await plain.query(query, {}).toPromise();
    expect(refused.error?.message).toMatch(/Cross-Site Request Forgery/);

    const posting = new Client({ url: server.url, exchanges: [cacheExchange, fetchExchange], preferGetMethod: false });
    expect((await posting.query(query, {}).toPromise()).data).toEqual({ __typename: 'Query' });

    const preflight = new Client({ url: server.url, exchanges: [cacheExchange, fetchExchange], fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } });
    expect((await preflight.query(query, {}).toPromise()).data).toEqual({ __typename: 'Query' });
  });

  it('urql subscriptions over graphql-ws, signed in through connectionParams', async () => {
    const owner = await newUser(server);
    const community = await newTimeline(server, owner, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const ws = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${owner.token}` } });
    sockets.push(ws);
    const client = new Client({
      url: server.url,
      preferGetMethod: false,
      fetchOptions: () => ({ headers: { authorization: `Bearer ${owner.token}` } }),
      exchanges: [
        cacheExchange,
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
    const received: OperationResult[] = [];
    const subscription = client
      .subscription('subscription ($id: ID!) { eventAdded(timelineId: $id) { title } }', { id: community.id })
      .subscribe((result) => received.push(result));
    try {
      await expect
        .poll(
          async () => {
            const created = await client.mutation('mutation ($id: ID!) { createEvent(input: { title: "via urql", timelineId: $id }) { id } }', { id: community.id }).toPromise();
            expect(created.error).toBeUndefined();
            return received.map((result) => result.data?.eventAdded?.title);
          },
          { timeout: 15_000, interval: 300 },
        )
        .toContain('via urql');
      expect(received.every((result) => result.error === undefined)).toBe(true);
    } finally {
      subscription.unsubscribe();
    }
  });
});
