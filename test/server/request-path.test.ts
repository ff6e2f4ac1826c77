import { gzipSync } from 'node:zlib';
import type { ApolloServerPlugin } from '@apollo/server';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import { startApp, type App } from '../../src/server/app';
import type { Context } from '../../src/server/context';
import { createLogger } from '../../src/server/logger';
import { TEST_CONFIG } from '../support/api';
import { insertEvent, newTimeline, newUser, type TestUser } from '../support/factories';
import { useTestServer, wsOperation } from './support';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const APOLLO_CLIENT_EXTENSIONS = { clientLibrary: { name: '@apollo/client', version: '4.0.0' } };

/** The headers and body extras each client sends, and the media type it gets back. */
const CLIENTS: Record<string, { accept?: string; extensions?: object; answeredAs: string }> = {
  curl: { answeredAs: JSON_TYPE },
  'Apollo Client 4': { accept: 'application/graphql-response+json,application/json;q=0.9', extensions: APOLLO_CLIENT_EXTENSIONS, answeredAs: GRAPHQL_RESPONSE_TYPE },
  urql: { accept: 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed', answeredAs: GRAPHQL_RESPONSE_TYPE },
  'graphql-request': { accept: 'application/graphql-response+json, application/json', answeredAs: GRAPHQL_RESPONSE_TYPE },
  GraphiQL: { accept: 'application/json, multipart/mixed', answeredAs: JSON_TYPE },
};

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: any;
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), body: JSON.parse(text) };
}

/** A request as `client` would send it: its Accept header, and its extensions in a body that is an object. */
function asClient(client: string, body: unknown, headers: Record<string, string> = {}): [string, Record<string, string>] {
  const { accept, extensions } = CLIENTS[client];
  const shaped = extensions && body && typeof body === 'object' && !Array.isArray(body) ? { ...body, extensions } : body;
  return [JSON.stringify(shaped), { ...(accept ? { accept } : {}), ...headers }];
}

function badInput(message: string | RegExp, reason: string, more: object = {}) {
  return { message: typeof message === 'string' ? message : expect.stringMatching(message), ...more, extensions: { code: 'BAD_USER_INPUT', reason } };
}

describe('the one request path, against the contract', () => {
  const server = useTestServer();
  let alice: TestUser;
  const bearer = () => ({ authorization: `Bearer ${alice.token}` });

  beforeAll(async () => {
    alice = await newUser(server);
    const climate = await newTimeline(server, alice, { name: 'Climate', type: 'HASHTAG' });
    for (let i = 0; i < 25; i++) await insertEvent(server, { title: `Event ${i}`, homeId: climate.id, createdBy: alice.id, eventDate: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  });

  type Case = [string, () => { body: unknown; headers?: Record<string, string> }, { status: number; body: () => object }];
  const cases: Case[] = [
    [
      'a lookup',
      () => ({ body: { operationName: 'L', query: 'query L($n: String!) { timelineByName(formattedName: $n) { id name formattedName type createdAt } }', variables: { n: '#climate' } } }),
      { status: 200, body: () => ({ data: { timelineByName: { id: expect.any(String), name: 'Climate', formattedName: '#Climate', type: 'HASHTAG', createdAt: expect.stringMatching(/^\d{4}-.*Z$/) } }, extensions: { sqlStatements: 1 } }) },
    ],
    ['a lookup that finds nothing', () => ({ body: { query: '{ timelineByName(formattedName: "#Nowhere") { id } }' } }), { status: 200, body: () => ({ data: { timelineByName: null }, extensions: { sqlStatements: 1 } }) }],
    [
      'a malformed name (an error in a resolver)',
      () => ({ body: { query: '{ timelineByName(formattedName: "Climate") { id } }' } }),
      {
        status: 200,
        body: () => ({
          errors: [{ message: expect.stringMatching(/"Climate" is not a formatted timeline name/), locations: [{ line: 1, column: 3 }], path: ['timelineByName'], extensions: { code: 'BAD_USER_INPUT' } }],
          data: { timelineByName: null },
          extensions: { sqlStatements: 0 },
        }),
      },
    ],
    [
      'a page with cursors',
      () => ({ body: { query: '{ timelineByName(formattedName: "#Climate") { events(first: 20) { edges { cursor node { title tags createdBy { username } } } pageInfo { hasNextPage } } } }' } }),
      {
        status: 200,
        body: () => ({
          data: {
            timelineByName: {
              events: {
                edges: Array.from({ length: 20 }, (_, i) => ({ cursor: expect.any(String), node: { title: `Event ${24 - i}`, tags: expect.any(Array), createdBy: { username: alice.username } } })),
                pageInfo: { hasNextPage: true },
              },
            },
          },
          extensions: { sqlStatements: expect.any(Number) },
        }),
      },
    ],
    [
      'a malformed id beside good data',
      () => ({ body: { query: '{ a: timeline(id: "x") { id } b: timelineByName(formattedName: "#Climate") { name } }' } }),
      {
        status: 200,
        body: () => ({
          errors: [{ message: '"x" is not a valid timeline id', locations: [{ line: 1, column: 3 }], path: ['a'], extensions: { code: 'BAD_USER_INPUT' } }],
          data: { a: null, b: { name: 'Climate' } },
          extensions: { sqlStatements: 1 },
        }),
      },
    ],
    ['a signed-in viewer', () => ({ body: { query: '{ viewer { id username } }' }, headers: bearer() }), { status: 200, body: () => ({ data: { viewer: { id: alice.id, username: alice.username } }, extensions: { sqlStatements: expect.any(Number) } }) }],
    [
      'a mutation refused for an anonymous caller',
      () => ({ body: { query: 'mutation { createEvent(input: { title: "x", tags: ["A"] }) { id } }' } }),
      {
        status: 200,
        body: () => ({ errors: [{ message: 'Sign in to do this', locations: [{ line: 1, column: 12 }], path: ['createEvent'], extensions: { code: 'UNAUTHENTICATED' } }], data: null, extensions: { sqlStatements: 0 } }),
      },
    ],
    [
      'a mutation with bad input',
      () => ({ body: { query: 'mutation { createEvent(input: { title: "", tags: ["A"] }) { id } }' }, headers: bearer() }),
      {
        status: 200,
        body: () => ({ errors: [{ message: expect.stringMatching(/^The title must be/), locations: [{ line: 1, column: 12 }], path: ['createEvent'], extensions: { code: 'BAD_USER_INPUT' } }], data: null, extensions: { sqlStatements: 0 } }),
      },
    ],
    [
      'a forged token',
      () => ({ body: { query: '{ viewer { id } }' }, headers: { authorization: `Bearer ${alice.token.slice(0, -2)}xx` } }),
      { status: 401, body: () => ({ errors: [{ message: 'The token is invalid', extensions: { code: 'UNAUTHENTICATED' } }] }) },
    ],
    [
      'a document that does not validate',
      () => ({ body: { query: '{ timelineByName(formattedName: "#Climate") { nope } }' } }),
      { status: 400, body: () => ({ errors: [badInput(/^Cannot query field "nope" on type "Timeline"/, 'GRAPHQL_VALIDATION_FAILED', { locations: [{ line: 1, column: 47 }] })], extensions: { sqlStatements: 0 } }) },
    ],
    [
      'a document that does not parse',
      () => ({ body: { query: '{ timelineByName(' } }),
      { status: 400, body: () => ({ errors: [badInput('Syntax Error: Expected Name, found <EOF>.', 'GRAPHQL_PARSE_FAILED', { locations: [{ line: 1, column: 18 }] })], extensions: { sqlStatements: 0 } }) },
    ],
    [
      'variables of the wrong type',
      () => ({ body: { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id } }', variables: { n: 5 } } }),
      {
        status: 400,
        body: () => ({ errors: [badInput('Variable "$n" got invalid value 5; String cannot represent a non string value: 5', 'BAD_USER_INPUT', { locations: [{ line: 1, column: 9 }] })], extensions: { sqlStatements: 0 } }),
      },
    ],
    [
      'two operations and no name',
      () => ({ body: { query: 'query A { viewer { id } } query B { viewer { id } }' } }),
      { status: 400, body: () => ({ errors: [badInput('Must provide operation name if query contains multiple operations.', 'OPERATION_RESOLUTION_FAILURE')], extensions: { sqlStatements: 0 } }) },
    ],
    [
      'two operations and a name',
      () => ({ body: { query: 'query A { viewer { id } } query B { viewer { username } }', operationName: 'B' }, headers: bearer() }),
      { status: 200, body: () => ({ data: { viewer: { username: alice.username } }, extensions: { sqlStatements: expect.any(Number) } }) },
    ],
    [
      'a name that picks no operation',
      () => ({ body: { query: 'query A { viewer { id } }', operationName: 'C' } }),
      { status: 400, body: () => ({ errors: [badInput('Unknown operation named "C".', 'OPERATION_RESOLUTION_FAILURE')], extensions: { sqlStatements: 0 } }) },
    ],
    [
      'a query over the cost limit',
      () => ({ body: { query: '{ timelines(first: 100) { edges { node { events(first: 100) { edges { node { timelines { id } } } } } } } }' } }),
      { status: 400, body: () => ({ errors: [{ message: expect.stringMatching(/^Query cost limit of 10000 exceeded/), extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' } }], extensions: { sqlStatements: 0 } }) },
    ],
    ['a batch', () => ({ body: [{ query: '{ viewer { id } }' }] }), { status: 400, body: () => ({ errors: [badInput('Operation batching disabled.', 'BAD_REQUEST')] }) }],
    [
      'variables that are not an object',
      () => ({ body: { query: '{ viewer { id } }', variables: [1] } }),
      { status: 400, body: () => ({ errors: [badInput('`variables` in a POST body must be an object if provided.', 'BAD_REQUEST')] }) },
    ],
    ['a body with no query', () => ({ body: { variables: {} } }), { status: 400, body: () => ({ errors: [badInput(/non-empty `query`/, 'BAD_REQUEST')], extensions: { sqlStatements: 0 } }) }],
  ];

  describe.each(Object.keys(CLIENTS))('sent as %s sends it', (client) => {
    it.each(cases)('answers %s', async (_, make, expected) => {
      const { body, headers } = make();
      const answer = await post(server.url, ...asClient(client, body, headers));
      expect(answer.status).toBe(expected.status);
      expect(answer.contentType).toBe(CLIENTS[client].answeredAs);
      expect(answer.body).toEqual(expected.body());
      expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it('answers GET queries that carry a preflight header, and refuses those that do not (CSRF)', async () => {
    const url = `${server.url}?query=${encodeURIComponent('query V { viewer { id } }')}&operationName=V`;
    const allowed = await fetch(url, { headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${alice.token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ data: { viewer: { id: alice.id } }, extensions: { sqlStatements: expect.any(Number) } });
    const refused = await fetch(url);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).errors[0]).toMatchObject({ message: expect.stringMatching(/Cross-Site Request Forgery/), extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' } });
  });

  it('refuses a body that is not JSON, or not an object, with 400 and BAD_USER_INPUT', async () => {
    for (const text of ['{"query": ', '"query"', '42', '   ']) {
      const answer = await post(server.url, text);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toBe(JSON_TYPE);
      expect(answer.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' } }] });
    }
  });

  it('refuses a body over the limit with 413 also when it comes in chunks of undeclared length', async () => {
    const chunk = new TextEncoder().encode(`{"query": "{ viewer { id } }", "variables": { "pad": "${'x'.repeat(DEFAULT_LIMITS.maxBodyBytes)}" } }`);
    const body = new ReadableStream({ start: (controller) => (controller.enqueue(chunk), controller.close()) });
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: `The request body is larger than the limit of ${DEFAULT_LIMITS.maxBodyBytes} bytes`, extensions: { code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' } }],
    });
  });

  it('reads compressed bodies and refuses charsets and encodings it cannot decode with 415', async () => {
    const body = JSON.stringify({ query: '{ timelineByName(formattedName: "#Climate") { name } }' });
    const gzipped = await post(server.url, gzipSync(body), { 'content-encoding': 'gzip' });
    expect(gzipped.body).toEqual({ data: { timelineByName: { name: 'Climate' } }, extensions: { sqlStatements: 1 } });
    const latin1 = await post(server.url, body, { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    expect(latin1.body.errors[0]).toEqual({ message: 'unsupported charset "LATIN1"', extensions: { code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED_MEDIA_TYPE' } });
    const zipped = await post(server.url, body, { 'content-encoding': 'zip' });
    expect(zipped.status).toBe(415);
    expect(zipped.body.errors[0].extensions.reason).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

/** Every request Apollo is handed, whatever becomes of it: a line per plugin hook that saw it. */
function watcher(seen: string[]): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const name = request.operationName ?? request.query?.match(/^(query|mutation) (\w+)/)?.[2];
      seen.push(`request ${request.http?.method} ${name}`);
      return {
        async didEncounterErrors({ errors }) {
          seen.push(`errors ${errors.map((error) => error.extensions?.code ?? error.message).join(',')}`);
        },
      };
    },
    async invalidRequestWasReceived({ error }) {
      seen.push(`invalid ${error.message}`);
    },
    async contextCreationDidFail({ error }) {
      seen.push(`no context ${(error as Error).message}`);
    },
  };
}

describe('an Apollo plugin', () => {
  const seen: string[] = [];
  const server = useTestServer({ plugins: [watcher(seen)] });

  async function sees(send: () => Promise<Response>): Promise<string[]> {
    seen.length = 0;
    await (await send()).text();
    return [...seen];
  }

  it('sees every request shape: curl, real clients, GET, errors and refusals', async () => {
    const user = await newUser(server);
    const query = (body: object, headers: Record<string, string> = {}) => () =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    expect(await sees(query({ query: 'query Curl { viewer { id } }' }))).toEqual(['request POST Curl']);
    for (const client of Object.keys(CLIENTS)) {
      const [body, headers] = asClient(client, { operationName: 'Client', query: 'query Client { viewer { id } }', variables: {} });
      expect(await sees(() => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }))).toEqual(['request POST Client']);
    }
    const get = `${server.url}?query=${encodeURIComponent('query Get { viewer { id } }')}`;
    expect(await sees(() => fetch(get, { headers: { 'apollo-require-preflight': 'true' } }))).toEqual(['request GET Get']);

    expect(await sees(query({ query: 'query Invalid { viewr { id } }' }))).toEqual(['request POST Invalid', 'errors GRAPHQL_VALIDATION_FAILED']);
    expect(await sees(query({ query: 'query Resolver { timeline(id: "x") { id } }' }))).toEqual(['request POST Resolver', 'errors BAD_USER_INPUT']);
    expect(await sees(query({ query: 'query Costly { timelines(first: 100) { edges { node { events(first: 100) { edges { node { id } } } } } } }' }))).toEqual([
      'request POST Costly',
      'errors BAD_USER_INPUT',
    ]);
    expect(await sees(() => fetch(get))).toEqual([expect.stringMatching(/^invalid .*Cross-Site Request Forgery/)]);
    expect(await sees(query({ query: '{ viewer { id } }' }, { authorization: `Bearer ${user.token.slice(0, -2)}xx` }))).toEqual(['no context The token is invalid']);
  });
});

describe('graphql-jit and graphql-js', () => {
  const server = useTestServer();
  let plain: { app: App; orm: MikroORM };
  let alice: TestUser;

  beforeAll(async () => {
    // The same server on the same database, with Apollo's own executor (graphql-js) and express.
    const orm = await MikroORM.init(ormConfig(server.databaseUrl));
    plain = { orm, app: await startApp({ orm, config: { ...TEST_CONFIG, graphqlJit: false, httpMount: 'express' }, logger: createLogger('silent') }) };
    alice = await newUser(server);
    const climate = await newTimeline(server, alice, { name: 'Climate', type: 'HASHTAG' });
    for (let i = 0; i < 5; i++) await insertEvent(server, { title: `Event ${i}`, homeId: climate.id, createdBy: alice.id, tags: ['Climate', `T${i}`], eventDate: new Date(Date.UTC(2026, 0, 1, 0, i)) });
    // Each server checks a token's user once, with a statement: both have, before their answers are compared.
    for (const url of [server.url, plain.app.url]) await post(url, JSON.stringify({ query: '{ viewer { id } }' }), { authorization: `Bearer ${alice.token}` });
  });
  afterAll(async () => {
    await plain?.app.stop();
    await plain?.orm.close(true);
  });

  const operations: [string, object, boolean?][] = [
    ['fragments, aliases, enums, dates and __typename', { query: '{ t: timelineByName(formattedName: "#Climate") { __typename ...T events(first: 3) { edges { node { title eventDate tags type } } } } } fragment T on Timeline { id type createdAt }' }],
    ['nested lists', { query: '{ timelines(first: 5) { edges { node { name events(first: 2) { edges { node { timelines { formattedName } } } } } } } }' }],
    ['variables with defaults, skipped and included fields', { query: 'query Q($first: Int = 2, $skip: Boolean!) { timelineByName(formattedName: "#Climate") { name @skip(if: $skip) events(first: $first) { pageInfo { hasNextPage endCursor } } } }', variables: { skip: true } }],
    ['an error beside data, with its location on the third line', { query: 'query Two {\n  b: timelineByName(formattedName: "#Climate") { name }\n    a: timeline(id: "x") { id }\n}' }],
    ['an error in a mutation', { query: 'mutation { createTimeline(input: { name: "", type: COMMUNITY }) { id } }' }, true],
    ['a refused mutation', { query: 'mutation { createEvent(input: { title: "x", tags: ["A"] }) { id } }' }],
    ['a variable of the wrong type', { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id } }', variables: { n: 5 } }],
    ['a missing required variable', { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id } }', variables: {} }],
    ['a null for a non-null variable', { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id } }', variables: { n: null } }],
    ['an input object variable with an unknown field', { query: 'mutation M($i: CreateTimelineInput!) { createTimeline(input: $i) { id } }', variables: { i: { name: 'x', type: 'COMMUNITY', colour: 'red' } } }, true],
    ['an enum variable with a bad value', { query: 'query T($t: TimelineType) { timelines(type: $t, first: 1) { edges { node { id } } } }', variables: { t: 'NOPE' } }],
    ['an Int variable given a float', { query: 'query P($f: Int) { timelines(first: $f) { edges { node { id } } } }', variables: { f: 1.5 } }],
  ];

  it.each(operations)('answer %s alike', async (_, body, signedIn) => {
    const headers = { accept: CLIENTS['Apollo Client 4'].accept!, ...(signedIn ? { authorization: `Bearer ${alice.token}` } : {}) };
    const text = JSON.stringify(body);
    const [jit, js] = [await post(server.url, text, headers), await post(plain.app.url, text, headers)];
    expect({ ...jit, requestId: null }).toEqual({ ...js, requestId: null });
  });

  it('answer alike over WebSocket, a repeated document included', async () => {
    for (const [, body] of operations.slice(0, 4)) {
      const { query, variables } = body as { query: string; variables?: Record<string, unknown> };
      const js = await wsOperation(plain.app.url, query, { variables });
      expect(js.results[0].data).toBeDefined();
      for (let repeat = 0; repeat < 2; repeat++) expect(await wsOperation(server.url, query, { variables })).toEqual(js);
    }
  });

  it('refuse subscriptions alike: variables that do not fit, and a timeline that does not exist', async () => {
    const query = 'subscription S($t: ID!) { eventAdded(timelineId: $t) { id } }';
    for (const variables of [{ t: null }, { t: ['1'] }, { t: '2147483647' }]) {
      const js = await wsOperation(plain.app.url, query, { variables });
      // graphql-ws sends a refusal at subscribe as an `error` message, or as a `next` result with errors.
      expect((js.errors ?? js.results[0]?.errors)?.length).toBe(1);
      expect(await wsOperation(server.url, query, { variables })).toEqual(js);
    }
  });
});
