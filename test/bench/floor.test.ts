import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloor, type Floor } from '../../bench/floor';
import { BENCH_SESSION_ID, seedDataset } from '../../bench/seed';
import { answered, clientBody, clientHeaders } from '../../bench/client-request';
import { OPERATION_NAMES, QUERIES, type ScenarioName } from '../../bench/workload';
import { projectRoot } from '../../src/config';
import { issueToken } from '../../src/users/tokens';
import { TEST_CONFIG, useTestApi } from '../support/api';

/**
 * The benchmark reads the service's speed as a fraction of the floor's: that only means something if the
 * floor answers the same questions with the same rows, visibility included. Both run here on one seeded
 * database, asked the same requests (Apollo Client's shape, as the load driver sends them) by the same
 * viewer (user 1, as the benchmark signs in) or by nobody.
 */
const api = useTestApi();
let floor: Floor;
let viewerToken: string;
/** Timelines only some viewers may see, by role, with the id of the event homed on each. */
const hidden: Record<string, { id: string; name: string; eventId: string }> = {};

const HOT = '7';

/**
 * For user 1: a private community they are an active member of, one they are only pending in, their own
 * personal timeline, someone else's they were granted, someone else's they were not. Each holds one event,
 * also listed on the public hashtag `HOT`, newer than anything seeded there.
 */
async function seedVisibility(): Promise<void> {
  const timelines = [
    { role: 'memberOf', name: 'MemberClub', type: 'community', owner: 2, member: 'active' },
    { role: 'pendingIn', name: 'PendingClub', type: 'community', owner: 3, member: 'pending' },
    { role: 'own', name: 'OwnDiary', type: 'personal', owner: 1 },
    { role: 'granted', name: 'SharedDiary', type: 'personal', owner: 2, grant: true },
    { role: 'foreign', name: 'ClosedDiary', type: 'personal', owner: 3 },
  ];
  for (const [i, t] of timelines.entries()) {
    const { rows } = await api.db.query(
      `insert into timeline (name, timeline_type, visibility, requires_approval, created_by) values ($1, $2, 'private', false, $3) returning id`,
      [t.name, t.type, t.owner],
    );
    const id = rows[0].id as number;
    if (t.member) await api.db.query(`insert into timeline_member (timeline_id, user_id, role, state) values ($1, 1, 'member', $2)`, [id, t.member]);
    if (t.grant) await api.db.query(`insert into timeline_viewer (timeline_id, user_id) values ($1, 1)`, [id]);
    const event = await api.db.query(
      `insert into event (title, event_date, type, tags, timeline_id, created_by) values ($1, timestamp '2030-01-01' + interval '1 second' * $2, 'remark', '{}', $3, $4)
       returning id, event_date`,
      [`In ${t.name}`, i, id, t.owner],
    );
    await api.db.query(`insert into event_timeline_refs (event_id, timeline_id, event_date) values ($1, $2, $3), ($1, $4, $3)`, [
      event.rows[0].id, id, event.rows[0].event_date, Number(HOT),
    ]);
    hidden[t.role] = { id: String(id), name: t.name, eventId: String(event.rows[0].id) };
  }
}

beforeAll(async () => {
  await seedDataset(api.db, { label: 'test', timelines: 300, events: 2_000, hot: 50 });
  await seedVisibility();
  viewerToken = issueToken(TEST_CONFIG, 1, BENCH_SESSION_ID).token;
  floor = await startFloor({ databaseUrl: api.databaseUrl, poolSize: 2, jwtSecret: TEST_CONFIG.jwtSecret });
});
afterAll(async () => floor?.close());

/** Asks `url` as the load driver does (Apollo Client's request shape); any answer but data fails the test. */
async function ask(url: string, scenario: ScenarioName, variables: Record<string, unknown>, token: string | undefined): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: clientHeaders(token), body: clientBody(OPERATION_NAMES[scenario], QUERIES[scenario], variables) });
  const text = await response.text();
  if (!answered(response.status, Object.fromEntries(response.headers), text)) throw new Error(`${url} answered ${response.status}: ${text}`);
  return JSON.parse(text).data;
}

type Asker = 'viewer' | 'anonymous';

async function both(scenario: ScenarioName, variables: Record<string, unknown>, asker: Asker = 'viewer') {
  const token = asker === 'viewer' ? viewerToken : undefined;
  return { service: await ask(api.url, scenario, variables, token), floor: await ask(floor.url, scenario, variables, token) };
}

describe('the benchmark floor', () => {
  it.each(['#Tag7', '#tag42', '#Nowhere', 'i-Nowhere'])('looks %s up as the service does', async (name) => {
    const { service, floor: bare } = await both('lookup', { name });
    expect(bare).toEqual(service);
  });

  it.each(['viewer', 'anonymous'] as const)('answers the request path alone ({ __typename }) for the %s caller as the service does', async (asker) => {
    const { service, floor: bare } = await both('typename', {}, asker);
    expect(bare).toEqual(service);
    expect(service).toEqual({ __typename: 'Query' });
  });

  it.each(['7', '50', '299', '100000'])('pages timeline %s as the service does', async (id) => {
    const { service, floor: bare } = await both('page', { id });
    expect(bare).toEqual(service);
    if (id === '50') expect((service as any).timeline.events.edges).toHaveLength(20);
  });

  it('hides from a page the events homed on timelines its viewer may not see, as the service does', async () => {
    const eventsOnHot = async (asker: Asker) => {
      const { service, floor: bare } = await both('page', { id: HOT }, asker);
      expect(bare).toEqual(service);
      return (service as any).timeline.events.edges.map((edge: any) => edge.node.id) as string[];
    };
    const seenBy = await eventsOnHot('viewer');
    expect(['memberOf', 'own', 'granted'].every((role) => seenBy.includes(hidden[role].eventId))).toBe(true);
    expect(['pendingIn', 'foreign'].some((role) => seenBy.includes(hidden[role].eventId))).toBe(false);
    const seenByNobody = await eventsOnHot('anonymous');
    expect(Object.values(hidden).some((t) => seenByNobody.includes(t.eventId))).toBe(false);
  });

  it.each([
    ['memberOf', 'viewer', true],
    ['memberOf', 'anonymous', false],
    ['pendingIn', 'viewer', false],
    ['own', 'viewer', true],
    ['granted', 'viewer', true],
    ['granted', 'anonymous', false],
    ['foreign', 'viewer', false],
  ] as const)('pages the %s timeline for the %s caller as the service does (visible: %s)', async (role, asker, visible) => {
    const { service, floor: bare } = await both('page', { id: hidden[role].id }, asker);
    expect(bare).toEqual(service);
    expect((service as any).timeline !== null).toBe(visible);
  });

  it.each([
    ['memberOf', 'i-', 'viewer', true],
    ['memberOf', 'i-', 'anonymous', false],
    ['pendingIn', 'i-', 'viewer', false],
    ['own', 'My-', 'viewer', true],
    ['granted', 'My-', 'viewer', false],
    ['foreign', 'My-', 'viewer', false],
  ] as const)('looks the %s timeline up by %s name for the %s caller as the service does (found: %s)', async (role, prefix, asker, found) => {
    const { service, floor: bare } = await both('lookup', { name: prefix + hidden[role].name }, asker);
    expect(bare).toEqual(service);
    expect((service as any).timelineByName !== null).toBe(found);
  });

  it('ingests an event onto existing and new hashtag timelines, once each', async () => {
    const data = await ask(floor.url, 'ingest', { input: { title: 'floor', tags: ['Tag3', 'BrandNewTag', 'brandnewtag2', 'tag3'] } }, viewerToken);
    const { rows } = await api.db.query(
      `select t.name, t.timeline_type, e.tags, e.created_by from event_timeline_refs r join timeline t on t.id = r.timeline_id
       join event e on e.id = r.event_id where r.event_id = $1 order by t.name`,
      [data.createEvent.id],
    );
    expect(rows.map((row) => row.name)).toEqual(['BrandNewTag', 'Tag3', 'brandnewtag2']);
    expect(rows.every((row) => row.timeline_type === 'hashtag' && row.created_by === 1)).toBe(true);
    expect(rows[0].tags).toEqual(['Tag3', 'BrandNewTag', 'brandnewtag2']);
  });

  it('retags an event of its viewer as the service does: same answer, same listings', async () => {
    const listings = async (id: string) =>
      (await api.db.query('select timeline_id, kind, event_date::text from event_timeline_refs where event_id = $1 order by timeline_id', [id])).rows;
    const base = await listings('100');
    expect(base.map((row) => row.kind)).toContain('tag');
    const byService = await ask(api.url, 'retag', { id: '100', input: { tags: ['Tag3', 'RetagNewTag', 'tag3'] } }, viewerToken);
    const serviceListings = await listings('100');
    await api.db.query(`update event set tags = $2 where id = $1`, ['100', ['Tag1']]);
    await api.db.query(`delete from event_timeline_refs where event_id = 100 and kind = 'tag'`);
    const byFloor = await ask(floor.url, 'retag', { id: '100', input: { tags: ['Tag3', 'RetagNewTag', 'tag3'] } }, viewerToken);
    expect(byFloor).toEqual(byService);
    expect(byService).toEqual({ updateEvent: { id: '100', tags: ['Tag3', 'RetagNewTag'] } });
    expect(await listings('100')).toEqual(serviceListings);
    expect(serviceListings.filter((row) => row.kind !== 'tag')).toEqual(base.filter((row) => row.kind !== 'tag'));
  });

  it.each([['101', 'FORBIDDEN'], ['100000', 'NOT_FOUND']])('refuses to retag event %s (%s) as the service does', async (id, code) => {
    for (const url of [api.url, floor.url]) await expect(ask(url, 'retag', { id, input: { tags: ['Tag3'] } }, viewerToken)).rejects.toThrow(code);
  });

  it('refuses to ingest for an anonymous caller', async () => {
    await expect(ask(floor.url, 'ingest', { input: { title: 'nobody', tags: ['Tag3'] } }, undefined)).rejects.toThrow(/UNAUTHENTICATED/);
  });
});

/** Every module `entry` imports, directly or not, by relative path from the repository root. */
function localImports(entry: string, seen = new Set<string>()): Set<string> {
  seen.add(entry);
  for (const [, specifier] of readFileSync(join(projectRoot, entry), 'utf8').matchAll(/(?:from|import) '(\.[^']+)'/g)) {
    const module = `${relative(projectRoot, join(projectRoot, dirname(entry), specifier))}.ts`;
    if (!seen.has(module)) localImports(module, seen);
  }
  return seen;
}

describe('the floor process', () => {
  it('imports nothing from src/, directly or not', () => {
    const modules = [...localImports('bench/floor-process.ts')];
    expect(modules).toContain('bench/floor-statements.ts');
    expect(modules.filter((module) => !module.startsWith('bench/'))).toEqual([]);
  });
});

describe('requests shaped as Apollo Client sends them', () => {
  it('carry its headers and its body, keys in its order', () => {
    expect(clientHeaders('abc')).toEqual({
      accept: 'application/graphql-response+json,application/json;q=0.9',
      'content-type': 'application/json',
      authorization: 'Bearer abc',
    });
    const body = JSON.parse(clientBody('Lookup', QUERIES.lookup, { name: '#Tag1' }));
    expect(Object.keys(body)).toEqual(['operationName', 'variables', 'extensions', 'query']);
    expect(body.extensions).toEqual({ clientLibrary: { name: '@apollo/client', version: expect.stringMatching(/^4\.0\./) } });
  });

  it('are answered in the media type they ask for, which the load driver counts as a success', async () => {
    const response = await fetch(api.url, { method: 'POST', headers: clientHeaders(viewerToken), body: clientBody('Lookup', QUERIES.lookup, { name: '#Tag1' }) });
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(answered(response.status, Object.fromEntries(response.headers), text)).toBe(true);
  });

  it('count a GraphQL error as a failure', async () => {
    const response = await fetch(api.url, { method: 'POST', headers: clientHeaders(viewerToken), body: clientBody('Lookup', QUERIES.lookup, { name: 'Tag1' }) });
    const text = await response.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(answered(response.status, Object.fromEntries(response.headers), text)).toBe(false);
  });

  it('count an answer in another media type as a failure', () => {
    expect(answered(200, { 'Content-Type': 'application/json; charset=utf-8' }, '{"data":{"timeline":null}}')).toBe(false);
    expect(answered(200, { 'Content-Type': 'application/graphql-response+json; charset=utf-8' }, '{"data":{"timeline":null}}')).toBe(true);
  });
});
