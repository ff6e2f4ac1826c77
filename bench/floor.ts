import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { encodeCursor } from '../src/common/pagination';
import { statement, type Sql, type Statement } from '../src/db/sql';
import { EventRepository } from '../src/events/event.repository';
import { TimelineRepository } from '../src/timelines/timeline.repository';

/**
 * The floor: the least a server can do to answer the benchmark's requests. A bare `node:http` handler
 * running the service's own statements (its repositories, over a plain `pg` pool of the same size) as
 * named prepared statements, with no GraphQL, no auth and no validation. The service's figures are read as
 * a fraction of this one's.
 */
const TIMESTAMP_OID = 1114;

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
   * Ingestion as directly as SQL allows: existing tags in one select; only when some are missing, an
   * `on conflict do nothing` insert in folded-name order and a re-select in a new statement (a row a
   * concurrent call just committed is invisible to the insert's own snapshot); then the event and its
   * listings. All in one transaction.
   */
  const FOLD = (x: string) => `upper(${x} collate "und-x-icu")`;
  const FIND_TAGS = statement(
    'floor.findTags',
    `select t.id from timeline t where ${FOLD('t.name')} = any(array(select ${FOLD('n')} from unnest($1::text[]) n)) and t.timeline_type = 'hashtag'`,
  );
  const INSERT_TAGS = statement(
    'floor.insertTags',
    `insert into timeline (name, timeline_type, visibility, requires_approval, created_by)
     select n, 'hashtag', 'public', false, $2 from unnest($1::text[]) n order by ${FOLD('n')}
     on conflict (upper(name collate "und-x-icu"), timeline_type) where timeline_type in ('hashtag', 'community') do nothing`,
  );
  const INSERT_EVENT = statement(
    'floor.insertEvent',
    `insert into event (title, description, event_date, type, tags, timeline_id, created_by)
     values ($1, null, $2, 'remark', $3, null, $4) returning id, event_date`,
  );
  const INSERT_REFS = statement(
    'floor.insertRefs',
    'insert into event_timeline_refs (event_id, timeline_id, event_date) select $1, unnest($2::int[]), $3',
  );
  const ingestUser = 1;

  async function ingest(variables: { input: { title: string; tags: string[] } }) {
    const { title, tags } = variables.input;
    const client = await pool.connect();
    try {
      await client.query('begin');
      const query = (stmt: Statement, values: unknown[]) => client.query({ name: stmt.name, text: stmt.text, values });
      let ids = (await query(FIND_TAGS, [tags])).rows.map((row) => row.id as number);
      if (ids.length < tags.length) {
        await query(INSERT_TAGS, [tags, ingestUser]);
        ids = (await query(FIND_TAGS, [tags])).rows.map((row) => row.id as number);
      }
      const event = (await query(INSERT_EVENT, [title, new Date().toISOString(), tags, ingestUser])).rows[0];
      await query(INSERT_REFS, [event.id, ids, event.event_date]);
      await client.query('commit');
      return { createEvent: { id: String(event.id) } };
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

