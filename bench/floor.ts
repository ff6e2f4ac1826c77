import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { encodeCursor } from '../src/common/pagination';
import { Sql } from '../src/db/sql';
import { EventRepository, type NewEvent } from '../src/events/event.repository';
import { TagResolver } from '../src/events/tag-resolver';
import { TimelineRepository } from '../src/timelines/timeline.repository';

/**
 * The floor: the least a server can do to answer the benchmark's requests. A bare `node:http` handler
 * running the service's own statements (its repositories, over a plain `pg` pool of the same size) as
 * named prepared statements, with no GraphQL, no auth and no validation. The service's figures are read as
 * a fraction of this one's.
 */
const TIMESTAMP_OID = 1114;
const FLOOR_CHANNEL = 'bench_floor_event_added';

export interface Floor {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startFloor(databaseUrl: string, poolSize: number): Promise<Floor> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    options: '-c TimeZone=UTC',
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMP_OID ? (text: string) => text : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });

  /** The service's own `Sql` on this pool: a named prepared statement per query, nothing more. */
  const sql = Sql.onPool(pool);
  const timelines = new TimelineRepository(sql);
  const events = new EventRepository(sql);

  const iso = (timestamp: string) => new Date(`${timestamp.replace(' ', 'T')}Z`).toISOString();

  async function lookup(variables: { name: string }) {
    const [type, name] = variables.name.startsWith('#') ? (['hashtag', variables.name.slice(1)] as const) : (['community', variables.name.slice(2)] as const);
    const t = await timelines.findByName(type, name, null);
    const prefix = type === 'hashtag' ? '#' : 'i-';
    return { timelineByName: t ? { id: String(t.id), name: t.name, formattedName: prefix + t.name, type: t.type.toUpperCase(), createdAt: iso(t.createdAt) } : null };
  }

  async function page(variables: { id: string }) {
    const [t] = await timelines.findVisibleByIds([Number(variables.id)], null);
    if (!t) return { timeline: null };
    const rows = await events.pages([t.id], { eventDate: 'infinity', id: 0 }, 21, null);
    const edges = rows.slice(0, 20).map((e) => ({
      cursor: encodeCursor('event', [e.eventDate, e.id]),
      node: { id: String(e.id), title: e.title, eventDate: iso(e.eventDate), tags: e.tags },
    }));
    return { timeline: { id: String(t.id), name: t.name, events: { edges, pageInfo: { hasNextPage: rows.length > 20, endCursor: edges.at(-1)?.cursor ?? null } } } };
  }

  /**
   * Ingestion with the service's own statements and nothing else: its tag resolution (fold and find; when
   * some are missing, insert them and re-read those a concurrent call created, in the event's transaction)
   * and its insert of the event with its listings and notification. No parsing of inline tags, no
   * validation, no permission check. Its notifications go to a channel nobody listens on.
   */
  const ingestUser = 1;

  async function ingest(variables: { input: { title: string; tags: string[] } }) {
    const { title, tags } = variables.input;
    const resolver = new TagResolver();
    await resolver.load(sql, tags);
    const wanted = [resolver.distinct(tags)];
    const insert = async (on: Sql) => {
      const timelineOf = await resolver.timelines(on, wanted, ingestUser);
      const event: NewEvent = {
        title, description: null, eventDate: null, type: 'remark', url: null, mediaUrl: null, tags: wanted[0].tags, timelineId: null,
        listings: wanted[0].folded.map((key) => timelineOf.get(key)!),
      };
      const [inserted] = await new EventRepository(on).insertListed([event], ingestUser, FLOOR_CHANNEL);
      return { createEvent: { id: String(inserted.id) } };
    };
    return resolver.allExist(wanted) ? insert(sql) : sql.transaction(insert);
  }

  const handlers: Record<string, (variables: any) => Promise<unknown>> = { Lookup: lookup, Page: page, Ingest: ingest };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const handler = handlers[operationName];
    const body = handler ? { data: await handler(variables) } : { errors: [{ message: `unknown operation ${operationName}` }] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('floor error:', error);
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'floor error' }] }));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

