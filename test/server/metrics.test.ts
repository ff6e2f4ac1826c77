import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { newTimeline, newUser } from '../support/factories';
import { createEvent } from '../ingestion/operations';
import { Subscriber } from '../ingestion/subscriber';
import { rawRequest, useTestServer, type TestServer } from './support';

const MAX_OPERATIONS = 5;

/** As Apollo Client 4 sends a request. */
function clientRequest(server: TestServer, body: Record<string, unknown>, token?: string) {
  return rawRequest(server.url, {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json,application/json;q=0.9',
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ ...body, extensions: { clientLibrary: { name: '@apollo/client', version: '4.0.0' } } }),
  });
}

/** Every sample of a scrape, keyed `name{labels}` exactly as written. */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const response = await fetch(server.app.metricsUrl!);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/i.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const requests = (operation: string, kind: string, outcome: string) => `itimeline_graphql_requests_total{operation="${operation}",kind="${kind}",outcome="${outcome}"}`;

describe('metrics off (the default)', () => {
  const server = useTestServer();

  it('are served nowhere: no metrics URL, and /metrics on the API port is not them', async () => {
    expect(server.app.metricsUrl).toBeUndefined();
    const response = await rawRequest(server.url.replace(/\/graphql$/, '/metrics'), {});
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('itimeline_');
    expect(loadConfig({ JWT_SECRET: 'x' }).metrics).toBeUndefined();
  });
});

describe('metrics on (METRICS_PORT)', () => {
  const server = useTestServer({ config: { metrics: { host: '127.0.0.1', port: 0, maxOperations: MAX_OPERATIONS } } });
  const subscribers: Subscriber[] = [];
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.close()));
  });

  it('is read from the environment, on a port of its own that is never the API port', () => {
    const env = { JWT_SECRET: 'x', PORT: '4000' };
    expect(loadConfig({ ...env, METRICS_PORT: '9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464, maxOperations: 100 });
    expect(loadConfig({ ...env, HOST: '0.0.0.0', METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5', METRICS_MAX_OPERATIONS: '20' }).metrics).toEqual({
      host: '10.0.0.5',
      port: 9464,
      maxOperations: 20,
    });
    expect(() => loadConfig({ ...env, METRICS_PORT: '4000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => loadConfig({ ...env, METRICS_PORT: 'yes' })).toThrow(/METRICS_PORT must be 0-65535/);
  });

  it('serves GET /metrics only on its own listener', async () => {
    expect(server.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(server.app.metricsUrl!).port).not.toBe(new URL(server.url).port);
    expect((await rawRequest(server.url.replace(/\/graphql$/, '/metrics'), {})).status).toBe(404);
    expect((await rawRequest(server.app.metricsUrl!.replace(/\/metrics$/, '/graphql'), {})).status).toBe(404);
  });

  it('counts requests by operation and outcome, times them, and counts errors by extensions.code', async () => {
    const user = await newUser(server);
    const before = await scrape(server);
    const lookup = { operationName: 'Lookup', query: 'query Lookup($name: String!) { timelineByName(formattedName: $name) { id } }', variables: { name: '#nothing' } };
    for (let i = 0; i < 3; i++) expect((await clientRequest(server, lookup, user.token)).status).toBe(200);
    await clientRequest(server, { operationName: 'Missing', query: 'query Missing { timeline(id: "x") { id } }' });
    await clientRequest(server, { query: '{ viewer { id } }' }, user.token);
    await clientRequest(server, { query: 'query Broken {' });
    expect((await clientRequest(server, lookup, 'not-a-token')).status).toBe(401);

    const after = await scrape(server);
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(delta(requests('Lookup', 'query', 'ok'))).toBe(3);
    expect(delta('itimeline_graphql_request_duration_seconds_count{operation="Lookup",kind="query"}')).toBe(3);
    expect(delta('itimeline_graphql_request_duration_seconds_bucket{le="+Inf",operation="Lookup",kind="query"}')).toBe(3);
    expect(delta('itimeline_graphql_request_duration_seconds_sum{operation="Lookup",kind="query"}')).toBeGreaterThan(0);
    expect(delta(requests('Missing', 'query', 'error'))).toBe(1);
    expect(delta('itimeline_graphql_errors_total{operation="Missing",code="BAD_USER_INPUT"}')).toBe(1);
    expect(delta(requests('anonymous', 'query', 'ok'))).toBe(1);
    // A document that does not parse, and a refused token, have no operation to name.
    expect(delta(requests('other', 'none', 'error'))).toBe(2);
    expect(delta('itimeline_graphql_errors_total{operation="other",code="BAD_USER_INPUT"}')).toBe(1);
    expect(delta('itimeline_graphql_errors_total{operation="other",code="UNAUTHENTICATED"}')).toBe(1);

    expect(after.get('itimeline_db_pool_max_connections')).toBe(10);
    expect(after.get('itimeline_db_pool_connections{state="used"}')).toBe(0);
    expect(after.get('itimeline_db_pool_connections{state="free"}')).toBeGreaterThan(0);
    expect(after.get('itimeline_db_pool_connections{state="pending"}')).toBe(0);
    expect(after.get('itimeline_event_bus_connected')).toBe(1);
    expect(after.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('keeps labels bounded: operation names past the first few, and documents that do not validate, count as other', async () => {
    for (let i = 0; i < 3 * MAX_OPERATIONS; i++) await clientRequest(server, { operationName: `Probe${i}`, query: `query Probe${i} { __typename }` });
    for (let i = 0; i < 5; i++) await clientRequest(server, { operationName: `Invalid${i}`, query: `query Invalid${i} { noSuchField${i} }` });
    const samples = await scrape(server);
    const operations = new Set([...samples.keys()].map((key) => /\{.*operation="([^"]*)"/.exec(key)?.[1]).filter((name) => name !== undefined));
    const named = [...operations].filter((name) => name !== 'other' && name !== 'anonymous');
    expect(named).toHaveLength(MAX_OPERATIONS);
    const probes = named.filter((name) => name.startsWith('Probe'));
    expect(named.filter((name) => name.startsWith('Invalid'))).toEqual([]);
    expect(samples.get(requests('other', 'query', 'ok'))).toBe(3 * MAX_OPERATIONS - probes.length);
    expect(samples.get(requests('other', 'none', 'error'))).toBeGreaterThanOrEqual(5);
    const codes = new Set([...samples.keys()].map((key) => /code="([^"]*)"/.exec(key)?.[1]).filter((code) => code !== undefined));
    expect([...codes].every((code) => /^[A-Z_]+$/.test(code))).toBe(true);
  });

  it('shows open subscriptions, events delivered and event-bus notifications', async () => {
    const alice = await newUser(server);
    const topic = await newTimeline(server, alice, { name: 'MetricsTopic' });
    const before = await scrape(server);
    const subscriber = new Subscriber(server.url, topic.id, alice.token);
    subscribers.push(subscriber);
    await subscriber.live((i) => createEvent(server, alice, { title: `probe ${i}`, timelineId: topic.id }));
    await createEvent(server, alice, { title: 'counted', timelineId: topic.id });
    await subscriber.waitFor('counted');

    const during = await scrape(server);
    expect(during.get('itimeline_subscriptions')).toBe(1);
    expect(during.get('itimeline_websocket_connections')).toBe(1);
    expect(during.get('itimeline_subscription_queued_events')).toBe(0);
    const delivered = subscriber.received.length;
    expect(during.get('itimeline_subscription_deliveries_total')! - (before.get('itimeline_subscription_deliveries_total') ?? 0)).toBe(delivered);
    expect(during.get('itimeline_event_bus_notifications_total')! - before.get('itimeline_event_bus_notifications_total')!).toBeGreaterThanOrEqual(delivered);
    expect(during.get('itimeline_event_bus_reconnects_total')).toBe(0);

    await subscriber.close();
    await expect.poll(async () => (await scrape(server)).get('itimeline_subscriptions')).toBe(0);
  });
});
