import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServerSettings } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import { startApp, type App } from '../../src/server/app';
import { createContext, KnownUsers } from '../../src/server/context';
import { FastPath } from '../../src/server/fast-path';
import { QueryProtection } from '../../src/server/limits';
import { createLogger } from '../../src/server/logger';
import { buildSchema } from '../../src/server/schema';
import { TEST_CONFIG, useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser, type TestUser } from '../support/factories';

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

async function send(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
}

describe('the fast path', () => {
  const api = useTestApi();
  let apolloOnly: { app: App; orm: MikroORM };
  let alice: TestUser;

  beforeAll(async () => {
    // Apollo alone, on the same database: every answer of the fast path must equal its own.
    const orm = await MikroORM.init(ormConfig(api.databaseUrl));
    apolloOnly = { orm, app: await startApp({ orm, config: { ...TEST_CONFIG, fastPath: false }, logger: createLogger('silent') }) };
    alice = await newUser(api);
    const climate = await newTimeline(api, alice, { name: 'Climate', type: 'HASHTAG' });
    for (let i = 0; i < 25; i++) await insertEvent(api, { title: `Event ${i}`, homeId: climate.id, createdBy: alice.id, eventDate: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  });
  afterAll(async () => {
    await apolloOnly?.app.stop();
    await apolloOnly?.orm.close(true);
  });

  const bearer = () => ({ authorization: `Bearer ${alice.token}` });
  const cases: [string, () => { body: unknown; headers?: Record<string, string> }][] = [
    ['a lookup', () => ({ body: { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id name formattedName type createdAt } }', variables: { n: '#climate' } } })],
    ['a lookup that finds nothing', () => ({ body: { query: '{ timelineByName(formattedName: "#Nowhere") { id } }' } })],
    ['a malformed name (an error in a resolver)', () => ({ body: { query: '{ timelineByName(formattedName: "Climate") { id } }' } })],
    ['a page with cursors', () => ({ body: { query: '{ timelineByName(formattedName: "#Climate") { events(first: 20) { edges { cursor node { id title eventDate tags createdBy { username } } } pageInfo { hasNextPage endCursor } } } }' } })],
    ['a malformed id beside good data', () => ({ body: { query: '{ a: timeline(id: "x") { id } b: timelineByName(formattedName: "#Climate") { name } }' } })],
    ['a signed-in viewer', () => ({ body: { query: '{ viewer { id username } }' }, headers: bearer() })],
    ['a mutation refused for an anonymous caller', () => ({ body: { query: 'mutation { createEvent(input: { title: "x", tags: ["A"] }) { id } }' } })],
    ['a mutation with bad input', () => ({ body: { query: 'mutation { createEvent(input: { title: "", tags: ["A"] }) { id } }' }, headers: bearer() })],
    ['a forged token', () => ({ body: { query: '{ viewer { id } }' }, headers: { authorization: `Bearer ${alice.token.slice(0, -2)}xx` } })],
    ['a document that does not validate', () => ({ body: { query: '{ timelineByName(formattedName: "#Climate") { nope } }' } })],
    ['a document that does not parse', () => ({ body: { query: '{ timelineByName(' } })],
    ['variables of the wrong type', () => ({ body: { query: 'query L($n: String!) { timelineByName(formattedName: $n) { id } }', variables: { n: 5 } } })],
    ['two operations and no name', () => ({ body: { query: 'query A { viewer { id } } query B { viewer { id } }' } })],
    ['two operations and a name', () => ({ body: { query: 'query A { viewer { id } } query B { viewer { username } }', operationName: 'B' }, headers: bearer() })],
    ['a name that picks no operation', () => ({ body: { query: 'query A { viewer { id } }', operationName: 'C' } })],
    ['a query over the cost limit', () => ({ body: { query: '{ timelines(first: 100) { edges { node { events(first: 100) { edges { node { timelines { id } } } } } } } }' } })],
    ['a batch', () => ({ body: [{ query: '{ viewer { id } }' }] })],
    ['variables that are not an object', () => ({ body: { query: '{ viewer { id } }', variables: [1] } })],
  ];

  it.each(cases)('answers %s exactly as Apollo does', async (_, make) => {
    const { body, headers } = make();
    const text = JSON.stringify(body);
    const [fast, apollo] = [await send(api.url, text, headers), await send(apolloOnly.app.url, text, headers)];
    expect(fast).toEqual(apollo);
  });

  it('keeps an empty operation name apart from none, for a document it already holds', async () => {
    const query = '{ viewer { id } }';
    await send(api.url, JSON.stringify({ query }));
    const text = JSON.stringify({ query, operationName: '' });
    expect(await send(api.url, text)).toEqual(await send(apolloOnly.app.url, text));
  });

  it('answers the same twice (documents come from its cache the second time)', async () => {
    const text = JSON.stringify({ query: '{ timelineByName(formattedName: "#Climate") { events(first: 3) { edges { node { title } } } } }' });
    const first = await send(api.url, text);
    expect(first.body).toMatchObject({ data: { timelineByName: { events: { edges: [{ node: { title: 'Event 24' } }, {}, {}] } } } });
    expect(await send(api.url, text)).toEqual(first);
  });

  it('refuses a body that is not JSON, or not an object, with 400 and BAD_USER_INPUT, as Apollo does', async () => {
    for (const text of ['{"query": ', '"query"', '42']) {
      const [fast, apollo] = [await send(api.url, text), await send(apolloOnly.app.url, text)];
      for (const answer of [fast, apollo]) {
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' } }] });
      }
    }
  });
});

describe('what the fast path leaves to Apollo', () => {
  const api = useTestApi();
  let server: Server;
  let url: string;
  const passed: string[] = [];

  beforeAll(async () => {
    const schema = buildSchema();
    const settings = defaultServerSettings(false);
    const deps = { orm: api.orm, tokens: TEST_CONFIG, knownUsers: new KnownUsers() };
    const fastPath = new FastPath({
      schema,
      protection: new QueryProtection(schema, settings),
      logger: createLogger('silent'),
      maxBodyBytes: 1000,
      slowOperationMs: 1000,
      reportStatementCount: false,
      createContext: (authorization) => createContext(deps, authorization),
      serving: () => true,
    });
    server = createServer((req, res) =>
      fastPath.handle(req, res, (passedReq) => {
        passed.push(`${passedReq.method} ${JSON.stringify(passedReq.body ?? null)}`);
        res.writeHead(299).end('{}');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function served(init: RequestInit, path = '/graphql'): Promise<boolean> {
    passed.length = 0;
    const response = await fetch(url.replace('/graphql', path), { method: 'POST', headers: { 'content-type': 'application/json' }, ...init });
    await response.text();
    return response.status !== 299;
  }

  it('serves JSON POSTs of a valid operation, and passes everything else on with the body it read', async () => {
    const query = JSON.stringify({ query: '{ viewer { id } }' });
    expect(await served({ body: query })).toBe(true);
    expect(passed).toEqual([]);
    expect(await served({ body: query, headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' } })).toBe(true);

    expect(await served({ method: 'GET', body: undefined })).toBe(false);
    expect(await served({ body: query }, '/graphql?x=1')).toBe(false);
    expect(await served({ body: query, headers: { 'content-type': 'text/plain' } })).toBe(false);
    expect(await served({ body: query, headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' } })).toBe(false);
    expect(await served({ body: 'x'.repeat(1001) })).toBe(false);
    expect(passed).toEqual(['POST null']); // nothing read: Apollo's body parser refuses it as too large
    expect(await served({ body: JSON.stringify({ query: '{ viewer { id } }', extensions: {} }) })).toBe(false);
    expect(passed).toEqual([`POST ${JSON.stringify({ query: '{ viewer { id } }', extensions: {} })}`]);
    expect(await served({ body: JSON.stringify({ query: 'subscription { eventAdded(timelineId: "1") { id } }' }) })).toBe(false);
    expect(await served({ body: JSON.stringify({ query: '{ viewer { id } }' }), headers: { 'content-type': 'application/json', authorization: 'Bearer nope' } })).toBe(false);
  });
});
