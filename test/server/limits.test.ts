import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/config';
import { newUser } from '../support/factories';
import { rawRequest, useTestServer, wsOperation } from './support';

const server = useTestServer();
const limits = DEFAULT_LIMITS;

/** `timeline { events { edges { node { timeline { ... id } } } } }`, `levels` times: 4 levels of depth each. */
function deepQuery(levels: number): string {
  return `{ timeline(id: "1") { ${'events(first: 1) { edges { node { timeline { '.repeat(levels)}id${' } } } }'.repeat(levels)} } }`;
}

const NESTED_PAGES = `query($outer: Int!, $inner: Int!) {
  timelines(first: $outer) { edges { node { events(first: $inner) { edges { node { id } } } } } }
}`;

/** The benchmark's nested query: it must stay within every default limit. */
const BENCH_QUERY = `{ timelines(first: 50) { edges { node { events(first: 10) { edges { node { timelines { id } } } } } } } }`;

function expectRefused(response: { data?: unknown; errors?: any[]; extensions?: any }, message: RegExp) {
  expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.message).toMatch(message);
  expect(response.data ?? undefined).toBeUndefined();
}

describe('query limits (HTTP)', () => {
  it('refuses a query nested deeper than the limit, before any SQL', async () => {
    const response: any = await server.request(deepQuery(3));
    expectRefused(response, new RegExp(`Query depth limit of ${limits.maxDepth} exceeded`));
    expect(response.extensions?.sqlStatements ?? 0).toBe(0);
    expect((await server.request(deepQuery(2))).errors).toBeUndefined();
  });

  it('refuses more aliases than the limit', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ');
    expectRefused(await server.request(`{ ${fields(limits.maxAliases + 1)} }`), new RegExp(`Aliases limit of ${limits.maxAliases} exceeded`));
    expect((await server.request(`{ ${fields(limits.maxAliases)} }`)).errors).toBeUndefined();
  });

  it('refuses more directives than the limit', async () => {
    const fields = (n: number) => 'viewer @include(if: true) { id } '.repeat(n);
    expectRefused(await server.request(`{ ${fields(limits.maxDirectives + 1)} }`), new RegExp(`Directives limit of ${limits.maxDirectives} exceeded`));
    expect((await server.request(`{ ${fields(limits.maxDirectives)} }`)).errors).toBeUndefined();
  });

  it('refuses a document of more tokens than the limit while parsing it', async () => {
    const response = await server.request(`{ viewer { ${'id '.repeat(limits.maxTokens)}} }`);
    expectRefused(response, new RegExp(`more tha[nt] ${limits.maxTokens} tokens`));
    expect(response.errors?.[0]?.extensions?.reason).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('estimates cost from `first`, literal or variable, and refuses what is over the limit', async () => {
    const response: any = await server.request(NESTED_PAGES, { outer: 100, inner: 100 });
    expectRefused(response, new RegExp(`Query cost limit of ${limits.maxCost} exceeded, estimated 30300`));
    expect(response.errors[0].extensions.reason).toBe('QUERY_TOO_COSTLY');
    expect(response.extensions?.sqlStatements ?? 0).toBe(0);
    expect((await server.request(NESTED_PAGES, { outer: 10, inner: 10 })).errors).toBeUndefined();
    const literal = `{ timelines(first: 100) { edges { node { events(first: 100) { edges { node { id } } } } } } }`;
    expectRefused(await server.request(literal), /Query cost limit/);
  });

  it('counts the default page size where `first` is left out', async () => {
    // 100 timelines x 20 events (the default page) x their timelines (a plain list: 10).
    const query = (events: string) => `{ timelines(first: 100) { edges { node { ${events} { edges { node { timelines { id } } } } } } } }`;
    expectRefused(await server.request(query('events')), /estimated 26300/);
    expect((await server.request(query('events(first: 1)'))).errors).toBeUndefined();
  });

  it('lets the benchmark nested query through', async () => {
    const response = await server.request(BENCH_QUERY);
    expect(response.errors).toBeUndefined();
  });
});

describe('HTTP request rules', () => {
  it('refuses a body larger than the limit with 413 and a GraphQL-shaped error', async () => {
    const body = JSON.stringify({ query: '{ viewer { id } }', variables: { pad: 'x'.repeat(limits.maxBodyBytes) } });
    const response = await rawRequest(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
    expect(response.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' } });
    expect(response.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses batched requests', async () => {
    const body = JSON.stringify([{ query: '{ viewer { id } }' }, { query: '{ viewer { id } }' }]);
    const response = await rawRequest(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/batching/i);
  });

  it('refuses requests a page on another site could send without a preflight (CSRF)', async () => {
    const query = encodeURIComponent('{ __typename }');
    const simpleGet = await rawRequest(`${server.url}?query=${query}`, { method: 'GET' });
    expect(simpleGet.status).toBe(400);
    expect(simpleGet.text).toMatch(/Cross-Site Request Forgery/);

    const form = await rawRequest(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${query}`,
    });
    expect(form.status).toBe(400);
    expect(form.text).toMatch(/Cross-Site Request Forgery/);

    const preflighted = await rawRequest(`${server.url}?query=${query}`, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(preflighted.json.data).toEqual({ __typename: 'Query' });
  });

  it('gives every response a request id, keeping a sane one from the load balancer', async () => {
    const given = await rawRequest(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'lb-1234' }, body: '{"query":"{ viewer { id } }"}' });
    expect(given.headers.get('x-request-id')).toBe('lb-1234');
    const made = await rawRequest(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'not a sane id' }, body: '{"query":"{ viewer { id } }"}' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('query limits and auth over WebSocket', () => {
  it('refuses a query over the depth limit', async () => {
    const outcome = await wsOperation(server.url, deepQuery(3));
    expect(outcome.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(outcome.errors?.[0].message).toMatch(/Query depth limit/);
  });

  it('refuses aliases, directives and tokens over the limits', async () => {
    const aliases = Array.from({ length: limits.maxAliases + 1 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    expect((await wsOperation(server.url, `{ ${aliases} }`)).errors?.[0].message).toMatch(/Aliases limit/);
    const directives = 'viewer @include(if: true) { id } '.repeat(limits.maxDirectives + 1);
    expect((await wsOperation(server.url, `{ ${directives} }`)).errors?.[0].message).toMatch(/Directives limit/);
    const tokens = await wsOperation(server.url, `{ viewer { ${'id '.repeat(limits.maxTokens)}} }`);
    expect(tokens.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_PARSE_FAILED' } });
  });

  it('refuses a query over the cost limit, reading `first` from the variables', async () => {
    const refused = await wsOperation(server.url, NESTED_PAGES, { variables: { outer: 100, inner: 100 } });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' } });
    const allowed = await wsOperation(server.url, NESTED_PAGES, { variables: { outer: 10, inner: 10 } });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.results[0].data.timelines.edges).toEqual([]);
  });

  it('authenticates with the same token as HTTP and refuses a bad one when connecting', async () => {
    const user = await newUser(server);
    const signedIn = await wsOperation(server.url, '{ viewer { username } }', { token: user.token });
    expect(signedIn.results[0].data.viewer).toEqual({ username: user.username });
    const forged = await wsOperation(server.url, '{ viewer { username } }', { token: `${user.token.slice(0, -2)}xx` });
    expect(forged.closeCode).toBe(4403);
    expect(forged.results).toEqual([]);
  });

  it('shapes validation errors as HTTP does', async () => {
    const outcome = await wsOperation(server.url, '{ viewr { id } }');
    expect(outcome.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(outcome.errors?.[0].message).toMatch(/Did you mean "viewer"\?/);
  });
});
