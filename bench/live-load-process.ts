import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serveParent } from './child';
import { clientBody, clientHeaders } from './client-request';

/**
 * The live-updates load (`npm run bench -- --live`), in a process of its own: graphql-ws clients, one
 * connection each, subscribed to `eventAdded` on the hot timeline or on one of the others, and a poster that
 * creates events at a steady rate. Each event is homed on the hot timeline and tagged to one other timeline in
 * turn, so every hot subscriber should receive every event, and each other subscriber the events of its tag.
 */
export interface SubscribeRequest {
  url: string;
  hotId: string;
  hotCount: number;
  otherIds: string[];
  otherCount: number;
  otherTags: string[];
  token: string;
}

export interface PostRequest {
  seconds: number;
  perSecond: number;
}

export interface LiveLoadResult {
  subscribers: number;
  posted: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /**
   * Subscribers whose events arrived in another order than the first subscriber of the same timeline: posts
   * overlap, so commit order is not posting order, but every subscriber of a timeline must see the one commit order.
   */
  outOfOrder: number;
  p50: number;
  p99: number;
  max: number;
  postErrors: number;
}

const EVENT_ADDED = `subscription Live($id: ID!) { eventAdded(timelineId: $id) { id title timeline { id } createdBy { id } } }`;

interface Subscriber {
  client: Client;
  timeline: number;
  /** Event number → when it arrived (ms, performance clock). */
  received: Map<number, number>;
  /** Event numbers in arrival order. */
  sequence: number[];
  duplicates: number;
  probed: boolean;
}

let setup: SubscribeRequest | undefined;
let subscribers: Subscriber[] = [];
let run = 0;

function subscribe(url: string, timelineId: string, timeline: number): Promise<Subscriber> {
  const subscriber: Subscriber = {
    client: createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false }),
    timeline,
    received: new Map(),
    sequence: [],
    duplicates: 0,
    probed: false,
  };
  return new Promise((resolve, reject) => {
    subscriber.client.on('connected', () => resolve(subscriber));
    subscriber.client.on('error', reject);
    subscriber.client.subscribe<{ eventAdded: { title: string } }>(
      { query: EVENT_ADDED, variables: { id: timelineId } },
      {
        next: ({ data }) => {
          const title = data?.eventAdded.title ?? '';
          if (title.startsWith('probe')) return void (subscriber.probed = true);
          const match = /^live (\d+) (\d+)$/.exec(title);
          if (!match || Number(match[1]) !== run) return;
          const n = Number(match[2]);
          if (subscriber.received.has(n)) subscriber.duplicates++;
          else subscriber.received.set(n, performance.now());
          subscriber.sequence.push(n);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  });
}

async function createEvent(input: Record<string, unknown>): Promise<boolean> {
  const response = await fetch(setup!.url, {
    method: 'POST',
    headers: clientHeaders(setup!.token),
    body: clientBody('Post', `mutation Post($input: CreateEventInput!) { createEvent(input: $input) { id } }`, { input }),
  });
  const body = (await response.json()) as { errors?: unknown };
  return response.ok && !body.errors;
}

async function start(request: SubscribeRequest): Promise<number> {
  setup = request;
  const plan = [
    ...Array.from({ length: request.hotCount }, () => ({ id: request.hotId, timeline: -1 })),
    ...Array.from({ length: request.otherCount }, (_, i) => ({ id: request.otherIds[i % request.otherIds.length], timeline: i % request.otherIds.length })),
  ];
  // Connect in slices: a burst of thousands of handshakes at once only measures the accept queue.
  for (let i = 0; i < plan.length; i += 200) {
    subscribers.push(...(await Promise.all(plan.slice(i, i + 200).map(({ id, timeline }) => subscribe(request.url, id, timeline)))));
  }
  // graphql-ws does not acknowledge a subscription: probe until every subscriber has received one.
  for (let probe = 0; subscribers.some((s) => !s.probed); probe++) {
    for (let from = 0; from < request.otherTags.length; from += 50) {
      await createEvent({ title: `probe ${probe}`, timelineId: request.hotId, tags: request.otherTags.slice(from, from + 50) });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return subscribers.length;
}

async function post({ seconds, perSecond }: PostRequest): Promise<LiveLoadResult> {
  run++;
  const tags = setup!.otherTags;
  const total = seconds * perSecond;
  const sent: number[] = [];
  let postErrors = 0;
  const posts: Promise<void>[] = [];
  const startedAt = performance.now();
  for (let n = 0; n < total; n++) {
    const due = startedAt + (n * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent[n] = performance.now();
    posts.push(createEvent({ title: `live ${run} ${n}`, timelineId: setup!.hotId, tags: [tags[n % tags.length]] }).then((ok) => void (ok || postErrors++)));
  }
  await Promise.all(posts);
  const expectedOf = (s: Subscriber) => (s.timeline === -1 ? total : Array.from({ length: total }, (_, n) => n).filter((n) => n % tags.length === s.timeline).length);
  const expected = subscribers.reduce((sum, s) => sum + expectedOf(s), 0);
  // Let the last deliveries arrive (at most 10 s).
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && subscribers.reduce((sum, s) => sum + s.received.size, 0) < expected) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const latencies: number[] = [];
  for (const s of subscribers) for (const [n, at] of s.received) latencies.push(at - sent[n]);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  const delivered = latencies.length;
  const result: LiveLoadResult = {
    subscribers: subscribers.length,
    posted: total,
    expected,
    delivered,
    missing: expected - delivered,
    duplicates: subscribers.reduce((sum, s) => sum + s.duplicates, 0),
    outOfOrder: outOfOrder(),
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies[latencies.length - 1] ?? NaN),
    postErrors,
  };
  for (const s of subscribers) {
    s.received.clear();
    s.sequence = [];
  }
  return result;
}

function outOfOrder(): number {
  const reference = new Map<number, string>();
  let count = 0;
  for (const s of subscribers) {
    const sequence = s.sequence.join(',');
    const first = reference.get(s.timeline);
    if (first === undefined) reference.set(s.timeline, sequence);
    else if (first !== sequence) count++;
  }
  return count;
}

async function close(): Promise<void> {
  await Promise.all(subscribers.map((s) => s.client.dispose()));
  subscribers = [];
}

serveParent(async (message) => {
  if (message.type === 'ready') return true;
  if (message.type === 'subscribe') return start(message.request as SubscribeRequest);
  if (message.type === 'post') return post(message.request as PostRequest);
  if (message.type === 'close') return close();
  throw new Error(`unknown message ${String(message.type)}`);
});
