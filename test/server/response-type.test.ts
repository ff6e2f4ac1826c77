import { ApolloServer, HeaderMap } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseTypePlugin } from '../../src/server/response-type';

/** Accept headers as clients send them, and some that test the negotiation's corners. */
const ACCEPTS = [
  undefined,
  '',
  '*/*',
  'application/json',
  'application/graphql-response+json,application/json;q=0.9',
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
  'application/graphql-response+json, application/json',
  'application/json, multipart/mixed',
  'application/json;q=0.5, application/graphql-response+json;q=0.6',
  'application/*',
  'application/graphql-response+json;q=0, application/json',
  'text/html',
  'text/plain, image/png',
  'application/json; callbackSpec=1.0',
  'not a media type',
];

function server(withPlugin: boolean): ApolloServer {
  return new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'world' } },
    plugins: withPlugin ? [responseTypePlugin()] : [],
  });
}

async function answer(apollo: ApolloServer, accept: string | undefined, query = '{ hello }') {
  const headers = new HeaderMap([['content-type', 'application/json']]);
  if (accept !== undefined) headers.set('accept', accept);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query } },
    context: async () => ({}),
  });
  return { status: response.status ?? 200, contentType: response.headers.get('content-type'), body: response.body.kind === 'complete' ? response.body.string : null };
}

describe('the response type plugin', () => {
  const plain = server(false);
  const withPlugin = server(true);
  beforeAll(() => Promise.all([plain.start(), withPlugin.start()]));
  afterAll(() => Promise.all([plain.stop(), withPlugin.stop()]));

  it.each(ACCEPTS.map((accept) => [String(accept), accept]))('answers Accept %j as Apollo alone does', async (_, accept) => {
    for (const query of ['{ hello }', '{ nope }']) {
      // Twice: the second answer comes from the cache.
      for (let i = 0; i < 2; i++) expect(await answer(withPlugin, accept, query)).toEqual(await answer(plain, accept, query));
    }
  });

  it('picks the GraphQL response type for Apollo Client and refuses what accepts no JSON', async () => {
    expect((await answer(withPlugin, ACCEPTS[4])).contentType).toBe('application/graphql-response+json; charset=utf-8');
    expect(await answer(withPlugin, 'text/html')).toMatchObject({ status: 406 });
  });
});
