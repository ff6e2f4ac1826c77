import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { encodeCursor } from '../src/common/pagination';
import type { Sql, Statement } from '../src/db/sql';
import { EventRepository, type NewEvent } from '../src/events/event.repository';
import { HashtagRepository } from '../src/events/hashtag.repository';
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

  /** The repositories' `Sql`, reduced to what they call: one pooled query per statement. */
  const poolSql = {
    rows: async (stmt: Statement, values: unknown[] = []) => (await pool.query({ name: stmt.name, text: stmt.text, values })).rows,
    row: async (stmt: Statement, values: unknown[] = []) => (await pool.query({ name: stmt.name, text: stmt.text, values })).rows[0],
  } as unknown as Sql;
  const timelines = new TimelineRepository(poolSql);
  const events = new EventRepository(poolSql);

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
   * Ingestion with the service's own statements and nothing else: fold and find the tags; when all exist,
   * insert the event with its listings and notification (one statement); otherwise, in one transaction,
   * insert the missing tags, re-read those a concurrent call created, then insert the event. No parsing of
   * inline tags, no validation, no permission check. Its notifications go to a channel nobody listens on.
   */
  const hashtags = new HashtagRepository(poolSql);
  const ingestUser = 1;

  async function ingest(variables: { input: { title: string; tags: string[] } }) {
    const { title, tags } = variables.input;
    const found = await hashtags.foldAndFind(tags);
    const event = (listings: number[]): NewEvent => ({
      title, description: null, eventDate: null, type: 'remark', url: null, mediaUrl: null, tags, timelineId: null, listings,
    });
    const ids = found.map((row) => row.timelineId);
    if (ids.every((id) => id !== null)) {
      const [inserted] = await events.insertListed([event(ids as number[])], ingestUser, FLOOR_CHANNEL);
      return { createEvent: { id: String(inserted.id) } };
    }
    const client = await pool.connect();
    try {
      await client.query('begin');
      const clientSql = {
        rows: async (stmt: Statement, values: unknown[] = []) => (await client.query({ name: stmt.name, text: stmt.text, values })).rows,
      } as unknown as Sql;
      const inTransaction = new HashtagRepository(clientSql);
      const missing = found.filter((row) => row.timelineId === null).map((row) => row.name);
      const created = new Map((await inTransaction.insertMissing(missing, ingestUser)).map((row) => [row.folded, row.timelineId]));
      const raced = missing.length > created.size ? await inTransaction.foldAndFind(missing) : [];
      for (const row of raced) if (row.timelineId !== null) created.set(row.folded, row.timelineId);
      const listings = found.map((row) => row.timelineId ?? created.get(row.folded)!);
      const [inserted] = await new EventRepository(clientSql).insertListed([event(listings)], ingestUser, FLOOR_CHANNEL);
      await client.query('commit');
      return { createEvent: { id: String(inserted.id) } };
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
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

