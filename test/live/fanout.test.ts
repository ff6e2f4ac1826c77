import { parse, subscribe, type ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/event-bus';
import { LiveResolver } from '../../src/events/live-resolution';
import { createContext, type Context } from '../../src/server/context';
import { buildSchema } from '../../src/server/schema';
import { contextDeps, useTestApi } from '../support/api';
import { newTimeline, newUser, type TestUser } from '../support/factories';
import { createEvent } from '../ingestion/operations';

const api = useTestApi();
const schema = buildSchema();
const EVENT_ADDED = parse(`subscription($id: ID!) {
  eventAdded(timelineId: $id) { id title timeline { id name } timelines { id name } createdBy { id username } }
}`);

type Stream = AsyncIterableIterator<ExecutionResult<{ eventAdded: { title: string; timeline: { id: string } | null; timelines: { id: string }[] } }>>;

interface Subscribers {
  contexts: Context[];
  streams: { viewer: TestUser | null; stream: Stream }[];
}

let bus: EventBus;
let resolver: LiveResolver;

beforeAll(async () => {
  bus = new EventBus(api.databaseUrl, (error) => {
    throw error;
  });
  resolver = new LiveResolver(api.orm);
  bus.resolveWith(resolver);
  await bus.start();
});

afterAll(async () => {
  await bus?.stop();
});

/** `count` subscriptions in-process (the schema's own subscribe and execute), viewers taken in turn. */
async function subscribeMany(timelineId: string, viewers: (TestUser | null)[], count: number): Promise<Subscribers> {
  const deps = { ...contextDeps(api.orm), eventBus: bus };
  const subscribers: Subscribers = { contexts: [], streams: [] };
  for (let i = 0; i < count; i++) {
    const viewer = viewers[i % viewers.length];
    const context = await createContext(deps, viewer ? `Bearer ${viewer.token}` : undefined);
    const stream = (await subscribe({ schema, document: EVENT_ADDED, contextValue: context, variableValues: { id: timelineId } })) as Stream;
    subscribers.contexts.push(context);
    subscribers.streams.push({ viewer, stream });
  }
  return subscribers;
}

/** Statements run anywhere for deliveries: the resolver's, and every subscriber's own operation's. */
function statementsSoFar({ contexts }: Subscribers): number {
  return resolver.statements.count + contexts.reduce((sum, context) => sum + context.statements.count, 0);
}

async function closeAll({ streams }: Subscribers): Promise<void> {
  await Promise.all(streams.map(({ stream }) => stream.return?.()));
}

describe('live delivery at scale: one resolution per event per process (SPEC section 13)', () => {
  it('costs the same statements per event for 10 as for 10,000 subscribers, and keeps each viewer to what they may see', async () => {
    const alice = await newUser(api);
    const bob = await newUser(api);
    const topic = await newTimeline(api, alice, { name: 'FanoutTopic' });
    const secret = await newTimeline(api, alice, { type: 'COMMUNITY', visibility: 'PRIVATE' });
    const viewers = [null, alice, bob];

    const perEvent: number[] = [];
    for (const size of [10, 10_000]) {
      const subscribers = await subscribeMany(topic.id, viewers, size);
      try {
        // Homed on alice's private community and tagged to the public topic: only alice may see it.
        const pending = subscribers.streams.map(({ stream }) => stream.next());
        const before = statementsSoFar(subscribers);
        await createEvent(api, alice, { title: `secret ${size}`, timelineId: secret.id, tags: ['FanoutTopic'] });
        await createEvent(api, alice, { title: `public ${size}`, timelineId: topic.id });
        const first = await Promise.all(pending);
        const second = await Promise.all(subscribers.streams.map(({ stream, viewer }) => (viewer === alice ? stream.next() : undefined)));
        perEvent.push((statementsSoFar(subscribers) - before) / 2);

        subscribers.streams.forEach(({ viewer }, i) => {
          const received = [first[i], second[i]].filter((result) => result !== undefined).map((result) => result.value as ExecutionResult);
          for (const result of received) expect(result.errors).toBeUndefined();
          const titles = received.map((result) => (result.data as { eventAdded: { title: string } }).eventAdded.title);
          expect(titles).toEqual(viewer === alice ? [`secret ${size}`, `public ${size}`] : [`public ${size}`]);
        });
        const seenByAlice = first[1].value as ExecutionResult<{ eventAdded: { timeline: { id: string }; timelines: { id: string }[]; createdBy: { id: string } } }>;
        expect(seenByAlice.data!.eventAdded.timeline.id).toBe(secret.id);
        expect(seenByAlice.data!.eventAdded.timelines.map((t) => t.id).sort()).toEqual([topic.id, secret.id].sort());
        expect(seenByAlice.data!.eventAdded.createdBy.id).toBe(alice.id);
      } finally {
        await closeAll(subscribers);
      }
    }
    // The event, its timelines' visibility for the distinct viewers (anonymous once), its creator.
    expect(perEvent).toEqual([3, 3]);
    expect(bus.subscriptionCount).toBe(0);
  }, 120_000);
});
