import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveServer } from './child';

/**
 * The live scenario's floor (`npm run bench -- --live`): what this box can do at all when delivering events to
 * thousands of sockets, with nothing of the service in the way (it imports nothing from src/). A bare `ws` server
 * speaking just enough of graphql-ws's protocol for the same load client (ack, subscribe, complete, ping), and an
 * HTTP endpoint taking the load's `createEvent` posts: each post is one `pg_notify` committed on PostgreSQL, and
 * the floor's own LISTEN connection hears it, builds the event's `next` payload once and sends it, with each
 * subscription's id, to every socket subscribed to the event's timelines (its home and the timelines its tags
 * name: the seeded public hashtags are `Tag<id>`). No visibility check, no queue, no GraphQL execution.
 * argv: the database URL and the pool size.
 */
const CHANNEL = 'bench_floor_live';
const PROTOCOL = 'graphql-transport-ws';

interface Subscription {
  socket: WebSocket;
  id: string;
}

const [databaseUrl, poolSize] = process.argv.slice(2);
const byTimeline = new Map<number, Set<Subscription>>();
let server: Server | undefined;
let pool: pg.Pool | undefined;
let listener: pg.Client | undefined;
let nextEventId = 1;

function broadcast(payload: string | undefined): void {
  const { title, t } = JSON.parse(payload ?? '{}') as { title: string; t: number[] };
  const home = t[0];
  const eventId = nextEventId++;
  const data = JSON.stringify({ data: { eventAdded: { id: String(eventId), title, timeline: { id: String(home) }, createdBy: { id: '1' } } } });
  for (const timelineId of new Set(t)) {
    for (const { socket, id } of byTimeline.get(timelineId) ?? []) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${data}}`);
  }
}

function serveSocket(socket: WebSocket): void {
  const mine = new Map<string, { timelineId: number; subscription: Subscription }>();
  const drop = (id: string) => {
    const held = mine.get(id);
    if (!held) return;
    mine.delete(id);
    byTimeline.get(held.timelineId)?.delete(held.subscription);
  };
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { variables?: { id?: string } } };
    if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    else if (message.type === 'subscribe' && message.id) {
      const timelineId = Number(message.payload?.variables?.id);
      const subscription = { socket, id: message.id };
      mine.set(message.id, { timelineId, subscription });
      const subscriptions = byTimeline.get(timelineId) ?? new Set();
      byTimeline.set(timelineId, subscriptions.add(subscription));
    } else if (message.type === 'complete' && message.id) drop(message.id);
  });
  socket.on('close', () => {
    for (const id of [...mine.keys()]) drop(id);
  });
}

async function start(): Promise<string> {
  pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize) });
  listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  listener.on('notification', (message) => broadcast(message.payload));
  await listener.query(`listen ${CHANNEL}`);
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', () => {
      const { input } = (JSON.parse(body) as { variables: { input: { title: string; timelineId: string; tags?: string[] } } }).variables;
      const timelines = [Number(input.timelineId), ...(input.tags ?? []).map((tag) => Number(tag.replace(/^Tag/, '')))];
      pool!.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify({ title: input.title, t: timelines })]).then(
        () => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"data":{"createEvent":{"id":"0"}}}');
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ errors: [{ message: error.message }] }));
        },
      );
    });
  });
  const wsServer = new WebSocketServer({ server, path: '/graphql', handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false) });
  wsServer.on('connection', serveSocket);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

serveServer(start);

process.on('SIGTERM', () => {
  void (async () => {
    server?.closeAllConnections();
    await listener?.end().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    process.exit(0);
  })();
});
