import { MikroORM } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaSettings } from '../../src/config';
import { ormConfig } from '../../src/db/orm-config';
import { replicaOptions } from '../../src/db/replicas';
import { startApp, type App } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { createContext } from '../../src/server/context';
import { contextDeps, postGraphQL, TEST_CONFIG, type GraphQLResponse } from '../support/api';
import { ranBetween, startReplicatedDatabase, total, type ReplicatedDatabase } from './replicated-database';

/**
 * SPEC section 14 on a real streaming replica. Two API instances share the primary and the replica:
 * `trusting` never re-checks the replica after start-up (it only learns from a failed read) and tolerates
 * any lag; `watchful` checks every 100 ms and stops reading from a replica more than 500 ms behind.
 */
let cluster: ReplicatedDatabase;
const instances: { orm: MikroORM; app: App }[] = [];
let trusting: App;
let watchful: App;

async function instance(replicas: Pick<ReplicaSettings, 'maxLagMs' | 'checkIntervalMs'>): Promise<App> {
  const orm = await MikroORM.init(ormConfig(cluster.primaryUrl, replicaOptions([cluster.replicaUrl])));
  const app = await startApp({ orm, config: { ...TEST_CONFIG, replicas }, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  instances.push({ orm, app });
  return app;
}

beforeAll(async () => {
  cluster = await startReplicatedDatabase();
  trusting = await instance({ maxLagMs: 3_600_000, checkIntervalMs: 3_600_000 });
  watchful = await instance({ maxLagMs: 500, checkIntervalMs: 100 });
}, 120_000);

afterAll(async () => {
  for (const { orm, app } of instances) {
    await app.stop();
    await orm.close(true);
  }
  await cluster?.stop();
});

async function gql(app: App, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse & { data: Record<string, any> }> {
  const response = await postGraphQL<Record<string, any>>(app.url, query, variables, token);
  if (response.errors) throw new Error(`Unexpected GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response as GraphQLResponse & { data: Record<string, any> };
}

const statementsOf = (responses: GraphQLResponse[]) => responses.reduce((sum, r) => sum + Number((r as { extensions?: { sqlStatements?: number } }).extensions?.sqlStatements), 0);

async function readiness(app: App): Promise<{ status: number; body: { status: string; replicas?: { name: string; state: string; lagMs?: number }[] } }> {
  const response = await fetch(new URL('/readyz', app.url));
  return { status: response.status, body: (await response.json()) as any };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(50)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`Timed out waiting for ${what}`);
}

const LOOKUP = `query($name: String!) { timelineByName(formattedName: $name) { id formattedName events(first: 20) { edges { node { title } } } } }`;
const LIST = `{ timelines(type: HASHTAG, first: 10) { edges { node { formattedName } } } }`;
const CREATE_TIMELINE = `mutation($name: String!) { createTimeline(input: { name: $name, type: COMMUNITY }) { id formattedName } }`;
const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id title timelines { formattedName } } }`;
const TIMELINE = `query($id: ID!) { timeline(id: $id) { id formattedName } }`;

let token: string;

describe('read replicas (SPEC section 14)', () => {
  it('serves lookups and pages from the replica: not one of their statements reaches the primary', async () => {
    token = (await gql(trusting, `mutation { signUp(username: "replica_ada", password: "correct horse battery") { token } }`)).data.signUp.token;
    await gql(trusting, `mutation { createTimeline(input: { name: "ReplicaNews", type: HASHTAG }) { id } }`, {}, token);
    for (const title of ['one', 'two', 'three']) await gql(trusting, CREATE_EVENT, { input: { title: `${title} #ReplicaNews` } }, token);
    await cluster.caughtUp();

    const before = { primary: await cluster.statements('primary'), replica: await cluster.statements('replica') };
    const responses: GraphQLResponse[] = [];
    for (let i = 0; i < 10; i++) {
      const lookup = await gql(trusting, LOOKUP, { name: i % 2 ? '#replicanews' : '#REPLICANEWS' });
      expect(lookup.data.timelineByName.events.edges.map((edge: any) => edge.node.title)).toEqual(['three #ReplicaNews', 'two #ReplicaNews', 'one #ReplicaNews']);
      responses.push(lookup, await gql(trusting, LIST));
    }
    const onPrimary = ranBetween(before.primary, await cluster.statements('primary'));
    const onReplica = ranBetween(before.replica, await cluster.statements('replica'));

    expect([...onPrimary.keys()]).toEqual([]);
    expect(total(onReplica)).toBe(statementsOf(responses));
    expect(statementsOf(responses)).toBeGreaterThanOrEqual(30);
  });

  it('runs a mutation and every read it makes on the primary: its response shows its own write while the replica lags', async () => {
    await cluster.pauseReplay();
    try {
      const before = { primary: await cluster.statements('primary'), replica: await cluster.statements('replica') };
      const created = await gql(trusting, CREATE_TIMELINE, { name: 'WrittenWhilePaused' }, token);
      const community = created.data.createTimeline;
      // Posting checks the community just created (a read the replica cannot answer yet), then lists the event.
      const posted = await gql(trusting, CREATE_EVENT, { input: { title: 'posted while paused #PausedTag', timelineId: community.id } }, token);
      expect(posted.data.createEvent.timelines.map((t: any) => t.formattedName).sort()).toEqual(['#PausedTag', 'i-WrittenWhilePaused']);
      const onPrimary = ranBetween(before.primary, await cluster.statements('primary'));
      const onReplica = ranBetween(before.replica, await cluster.statements('replica'));
      expect([...onReplica.keys()]).toEqual([]);
      expect(total(onPrimary)).toBe(statementsOf([created, posted]));

      // A token of a user who signed up (on another process) after the replica stopped replaying still works:
      // the token's user is checked on the primary.
      const newcomer = (await gql(watchful, `mutation { signUp(username: "replica_newcomer", password: "correct horse battery") { token user { id } } }`)).data.signUp;
      expect((await gql(trusting, `{ viewer { id } }`, {}, newcomer.token)).data.viewer).toEqual(newcomer.user);

      // A query served by the lagging replica does not see it yet: the lag a client may observe.
      expect((await gql(trusting, TIMELINE, { id: community.id })).data.timeline).toBeNull();

      // The watchful instance reports the replica lagging, still ready, and reads from the primary meanwhile.
      const lagging = await until('a lagging replica in /readyz', async () => {
        const ready = await readiness(watchful);
        return ready.body.replicas?.[0]?.state === 'lagging' ? ready : undefined;
      });
      expect(lagging).toMatchObject({ status: 200, body: { status: 'ready', replicas: [{ name: 'replica-1', state: 'lagging' }] } });
      expect(lagging.body.replicas![0].lagMs).toBeGreaterThan(500);
      expect((await gql(watchful, TIMELINE, { id: community.id })).data.timeline).toEqual(community);
    } finally {
      await cluster.resumeReplay();
    }
    await until('the replica streaming again', async () => ((await readiness(watchful)).body.replicas?.[0]?.state === 'streaming' ? true : undefined));
    await cluster.caughtUp();
    expect((await gql(trusting, TIMELINE, { id: (await gql(trusting, LOOKUP, { name: 'i-WrittenWhilePaused' })).data.timelineByName.id })).data.timeline).not.toBeNull();
  });

  it('reads its own write after a createEvent that is one statement, in-process too (no operation to route by)', async () => {
    await gql(trusting, `mutation { createTimeline(input: { name: "KnownBeforePause", type: HASHTAG }) { id } }`, {}, token);
    await cluster.caughtUp();
    await cluster.pauseReplay();
    try {
      const context = await createContext(contextDeps(instances[0].orm), `Bearer ${token}`);
      // Every tag known: the insert is the only write, outside any transaction.
      const event = await context.events.createEvent({ title: 'one statement while paused', tags: ['KnownBeforePause'] });
      expect(context.statements.count).toBe(3); // the token's session, fold-and-find, the insert
      const listed = await context.events.listings(event);
      expect(listed.map((t) => `${t.timelineType} ${t.name}`)).toEqual(['hashtag KnownBeforePause']);
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.caughtUp();
  });

  it('answers reads from the primary, with no error, once the replica is stopped; readiness reports it lost', async () => {
    const before = await cluster.statements('primary');
    await cluster.replica.stop();
    // `trusting` has not checked the replica since it started: its reads find it gone and run again on the primary.
    const responses = await Promise.all(Array.from({ length: 5 }, () => postGraphQL<Record<string, any>>(trusting.url, LOOKUP, { name: '#ReplicaNews' })));
    for (const response of responses) {
      expect(response.errors).toBeUndefined();
      expect(response.data!.timelineByName.formattedName).toBe('#ReplicaNews');
    }
    expect(total(ranBetween(before, await cluster.statements('primary')))).toBeGreaterThanOrEqual(statementsOf(responses));

    for (const app of [trusting, watchful]) {
      const ready = await until('a lost replica in /readyz', async () => {
        const probe = await readiness(app);
        return probe.body.replicas?.[0]?.state === 'lost' ? probe : undefined;
      });
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready', replicas: [{ name: 'replica-1', state: 'lost' }] } });
    }
    const later = await postGraphQL<Record<string, any>>(watchful.url, LOOKUP, { name: '#replicanews' });
    expect(later.errors).toBeUndefined();
    expect(later.data!.timelineByName.events.edges).toHaveLength(3);
  });
});
