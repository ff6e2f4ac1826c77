import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import {
  FOLD_AND_FIND,
  INSERT_EVENT,
  INSERT_HASHTAGS,
  LOCK_AND_FIND,
  LOOKUP,
  PAGE,
  RETAG,
  WINDOW_COUNT,
  WINDOW_HISTOGRAM,
  WINDOW_PAGE,
  type Statement,
} from './floor-statements';
import { FloorAuthError, FloorViewers } from './floor-viewer';

/**
 * The floor: the least a server can do to answer the benchmark's requests. A bare `node:http` handler over
 * a plain `pg` pool (the service's pool size), with SQL of its own (`floor-statements.ts`) and nothing of
 * the service: no GraphQL (it dispatches on `operationName` and ignores the query text), no validation.
 * It does what the answers depend on: it verifies the viewer's token and applies the visibility rules.
 * The service's figures are read as a fraction of this one's.
 */
const TIMESTAMP_OID = 1114;
const FLOOR_CHANNEL = 'bench_floor_event_added';
const FLOOR_CHANGE_CHANNEL = 'bench_floor_event';
/** An inline `#tag` (SPEC section 6), as the service reads it outside URLs: a letter among letters, marks, digits, `_`. */
const INLINE_TAG = /(?<![\p{L}\p{N}_])#([\p{L}\p{M}\p{N}_\u200C\u200D]+)/gu;
const URL_IN_TEXT = /(?<![\p{L}\p{N}])\p{L}[\p{L}\p{N}+.-]*:\/\/\S*/gu;
const inlineTags = (text: string | null) =>
  [...(text ?? '').replace(URL_IN_TEXT, ' ').matchAll(INLINE_TAG)].map((m) => m[1]).filter((tag) => /\p{L}/u.test(tag));
const PAGE_SIZE = 20;
const PREFIXES = { '#': 'hashtag', 'i-': 'community', 'my-': 'personal' } as const;
const FORMATTED = { hashtag: '#', community: 'i-', personal: 'My-' } as const;
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

export interface Floor {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface FloorOptions {
  databaseUrl: string;
  poolSize: number;
  /** The service's JWT secret: the floor verifies the same tokens. */
  jwtSecret: string;
}

class FloorRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Timestamps stay PostgreSQL's UTC text, as the service reads them: its cursors carry the microseconds. */
const iso = (timestamp: string) => new Date(`${timestamp.replace(' ', 'T')}Z`).toISOString();

/** The service's cursor: base64url of the JSON array `["event", eventDate, id]`. */
const eventCursor = (eventDate: string, id: number) => Buffer.from(JSON.stringify(['event', eventDate, id])).toString('base64url');

export async function startFloor(options: FloorOptions): Promise<Floor> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize,
    options: '-c TimeZone=UTC',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === TIMESTAMP_OID ? (text: string) => text : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const viewers = new FloorViewers(options.jwtSecret);

  const run = async <R extends pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, statement: Statement, values: unknown[]) =>
    (await on.query<R>({ name: statement.name, text: statement.text, values })).rows;

  async function lookup({ name }: { name: string }, viewer: number | null) {
    const prefix = (Object.keys(PREFIXES) as (keyof typeof PREFIXES)[]).find((p) => name.slice(0, p.length).toLowerCase() === p);
    if (!prefix) throw new FloorRequestError(`"${name}" is not a formatted timeline name`, 'BAD_USER_INPUT');
    const kind = PREFIXES[prefix];
    const base = name.slice(prefix.length);
    if (kind === 'personal' && viewer === null) throw new FloorRequestError('Sign in to look up a personal timeline', 'UNAUTHENTICATED');
    const [t] = await run<{ id: number; name: string; created_at: string }>(pool, LOOKUP[kind], kind === 'hashtag' ? [base] : [base, viewer]);
    return {
      timelineByName: t
        ? { id: String(t.id), name: t.name, formattedName: FORMATTED[kind] + t.name, type: kind.toUpperCase(), createdAt: iso(t.created_at) }
        : null,
    };
  }

  async function page({ id }: { id: string }, viewer: number | null) {
    type Row = { id: number; name: string; eventId: number | null; title: string; eventDate: string; tags: string[] };
    const rows = await run<Row>(pool, PAGE, [Number(id), viewer]);
    if (rows.length === 0) return { timeline: null };
    const listed = rows[0].eventId === null ? [] : rows;
    const edges = listed.slice(0, PAGE_SIZE).map((e) => ({
      cursor: eventCursor(e.eventDate, e.eventId!),
      node: { id: String(e.eventId), title: e.title, eventDate: iso(e.eventDate), tags: e.tags },
    }));
    const pageInfo = { hasNextPage: listed.length > PAGE_SIZE, endCursor: edges.at(-1)?.cursor ?? null };
    return { timeline: { id: String(rows[0].id), name: rows[0].name, events: { edges, pageInfo } } };
  }

  /**
   * Fold the tags and find their hashtag timelines; when all exist, the event goes in with one statement.
   * Otherwise, in one transaction: insert the missing ones, re-read those a concurrent writer created
   * meanwhile (this statement's snapshot cannot see them), then the event.
   */
  async function ingest({ input }: { input: { title: string; tags: string[] } }, viewer: number | null) {
    if (viewer === null) throw new FloorRequestError('Sign in to create an event', 'UNAUTHENTICATED');
    const { foldedOf, timelineOf, note } = tagLookup();
    note(await run(pool, FOLD_AND_FIND, [input.tags]));
    /** Folded key → the first spelling given, in the order given: the event keeps these spellings. */
    const spelling = new Map<string, string>();
    for (const name of input.tags) if (!spelling.has(foldedOf.get(name)!)) spelling.set(foldedOf.get(name)!, name);
    const missing = () => [...spelling].filter(([folded]) => !timelineOf.has(folded)).map(([, name]) => name);
    const insertEvent = async (on: pg.Pool | pg.PoolClient) => {
      const listings = [...spelling.keys()].map((folded) => timelineOf.get(folded)!);
      const [event] = await run<{ id: number }>(on, INSERT_EVENT, [input.title, [...spelling.values()], viewer, listings, FLOOR_CHANNEL]);
      return { createEvent: { id: String(event.id) } };
    };
    if (missing().length === 0) return insertEvent(pool);

    const client = await pool.connect();
    try {
      await client.query('begin');
      for (const row of await run<{ id: number; folded: string }>(client, INSERT_HASHTAGS, [missing(), viewer])) timelineOf.set(row.folded, row.id);
      if (missing().length > 0) note(await run(client, FOLD_AND_FIND, [missing()]));
      if (missing().length > 0) throw new Error(`hashtags vanished while being created: ${missing().join(', ')}`);
      const result = await insertEvent(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * `updateEvent` with new explicit tags, in one transaction: the event under its row lock together with the
   * tags' hashtag timelines (one statement), the missing ones inserted and re-read if any, then the event's
   * tags and listings (one statement). Tags: the given ones, then the inline ones of its title and description.
   */
  async function retag({ id, input }: { id: string; input: { tags: string[] } }, viewer: number | null) {
    if (viewer === null) throw new FloorRequestError('Sign in to edit an event', 'UNAUTHENTICATED');
    const client = await pool.connect();
    try {
      await client.query('begin');
      type Locked = { created_by: number; title: string; description: string | null; home_type: string | null; visible: boolean; found: { name: string; folded: string; id: number | null }[] };
      const names = (event?: { title: string; description: string | null }) => [...input.tags, ...(event ? [...inlineTags(event.title), ...inlineTags(event.description)] : [])];
      const [event] = await run<Locked>(client, LOCK_AND_FIND, [Number(id), viewer, names()]);
      if (!event?.visible) throw new FloorRequestError('Event not found', 'NOT_FOUND');
      if (event.created_by !== viewer) throw new FloorRequestError('Only its creator may edit an event', 'FORBIDDEN');
      const all = names(event);
      const { foldedOf, timelineOf, note } = tagLookup();
      note(event.found);
      if (all.some((name) => !foldedOf.has(name))) note(await run(client, FOLD_AND_FIND, [all.filter((name) => !foldedOf.has(name))]));
      const spelling = new Map<string, string>();
      for (const name of all) if (!spelling.has(foldedOf.get(name)!)) spelling.set(foldedOf.get(name)!, name);
      const listsTags = event.home_type !== 'personal';
      const missing = () => (listsTags ? [...spelling].filter(([folded]) => !timelineOf.has(folded)).map(([, name]) => name) : []);
      if (missing().length > 0) {
        for (const row of await run<{ id: number; folded: string }>(client, INSERT_HASHTAGS, [missing(), viewer])) timelineOf.set(row.folded, row.id);
        if (missing().length > 0) note(await run(client, FOLD_AND_FIND, [missing()]));
      }
      const listings = listsTags ? [...spelling.keys()].map((folded) => timelineOf.get(folded)!) : [];
      const [updated] = await run<{ tags: string[] }>(client, RETAG, [Number(id), [...spelling.values()], listings, FLOOR_CHANGE_CHANNEL]);
      await client.query('commit');
      return { updateEvent: { id, tags: updated.tags } };
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  /** The window requests' values: the window as UTC timestamp text, as the service's cursors carry it. */
  const windowValues = ({ id, from, to }: { id: string; from: string; to: string }, viewer: number | null) => [
    Number(id),
    viewer,
    ...[from, to].map((date) => new Date(date).toISOString().replace('T', ' ').replace('Z', '')),
  ];

  async function windowPage(variables: { id: string; from: string; to: string }, viewer: number | null) {
    const values = windowValues(variables, viewer);
    const rows = await run<{ id: number | null; title: string; eventDate: string }>(pool, WINDOW_PAGE, values);
    if (rows.length === 0) return { timeline: null };
    const listed = rows[0].id === null ? [] : rows;
    const edges = listed.slice(0, PAGE_SIZE).map((e) => ({
      cursor: Buffer.from(JSON.stringify(['event', e.eventDate, e.id, values[2], values[3]])).toString('base64url'),
      node: { id: String(e.id), title: e.title, eventDate: iso(e.eventDate) },
    }));
    return { timeline: { events: { edges, pageInfo: { hasNextPage: listed.length > PAGE_SIZE, endCursor: edges.at(-1)?.cursor ?? null } } } };
  }

  /** The window's values and its whole UTC days `[fd, td)`; the partial days before and after are counted from the listings. */
  const DAY = 86_400_000;
  const aggregateValues = (variables: { id: string; from: string; to: string }, viewer: number | null) => {
    const [from, to] = [new Date(variables.from).getTime(), new Date(variables.to).getTime()];
    const fd = Math.min(Math.ceil(from / DAY) * DAY, to);
    const td = Math.max(Math.floor(to / DAY) * DAY, fd);
    return [...windowValues(variables, viewer), ...[fd, td].map((ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', ''))];
  };

  async function windowCount(variables: { id: string; from: string; to: string }, viewer: number | null) {
    const [row] = await run<{ count: number }>(pool, WINDOW_COUNT, aggregateValues(variables, viewer));
    return { timeline: row ? { eventCount: row.count } : null };
  }

  async function windowHistogram(variables: { id: string; bucket: string; from: string; to: string }, viewer: number | null) {
    const rows = await run<{ start: string | null; count: number }>(pool, WINDOW_HISTOGRAM, [...aggregateValues(variables, viewer), variables.bucket.toLowerCase()]);
    if (rows.length === 0) return { timeline: null };
    return { timeline: { eventHistogram: rows.filter((row) => row.start !== null).map((row) => ({ start: iso(row.start!), count: row.count })) } };
  }

  const handlers: Record<string, (variables: any, viewer: number | null) => Promise<unknown>> = {
    Lookup: lookup,
    Page: page,
    Ingest: ingest,
    Typename: async () => ({ __typename: 'Query' }),
    Retag: retag,
    Window: windowPage,
    Count: windowCount,
    Histogram: windowHistogram,
  };

  async function answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    try {
      const viewer = viewers.viewerOf(req.headers.authorization);
      const handler = handlers[operationName];
      if (!handler) throw new FloorRequestError(`unknown operation ${operationName}`, 'BAD_USER_INPUT');
      return { status: 200, body: { data: await handler(variables, viewer) } };
    } catch (error) {
      if (error instanceof FloorAuthError) return { status: 401, body: { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] } };
      if (error instanceof FloorRequestError) return { status: 200, body: { errors: [{ message: error.message, extensions: { code: error.code } }] } };
      throw error;
    }
  }

  /** Answers in the media type the client prefers, as a GraphQL server does for `application/graphql-response+json`. */
  function respond(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    const type = req.headers.accept?.startsWith(GRAPHQL_RESPONSE) ? GRAPHQL_RESPONSE : 'application/json';
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8` }).end(JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    answer(req).then(
      ({ status, body }) => respond(req, res, status, body),
      (error: unknown) => {
        console.error('floor error:', error);
        respond(req, res, 500, { errors: [{ message: 'floor error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      },
    );
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

/** What fold-and-find rows have told so far: each given name's folded key, and each folded key's hashtag timeline. */
function tagLookup() {
  const foldedOf = new Map<string, string>();
  const timelineOf = new Map<string, number>();
  const note = (rows: { name: string; folded: string; id: number | null }[]) => {
    for (const row of rows) {
      foldedOf.set(row.name, row.folded);
      if (row.id !== null) timelineOf.set(row.folded, row.id);
    }
  };
  return { foldedOf, timelineOf, note };
}
