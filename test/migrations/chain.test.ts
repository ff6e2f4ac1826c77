import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST, MIGRATIONS, migrationDb, runCli, type MigrationDb } from './support';

describe('the whole V2 chain on an empty database', () => {
  let m: MigrationDb;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up();
  });
  afterAll(() => m.close());

  it('applies every migration', async () => {
    expect(await m.applied()).toEqual(MIGRATIONS);
    expect(MIGRATIONS.at(-1)).toBe(LAST);
  });

  it('leaves the indexes PostgreSQL reports, all valid', async () => {
    const { rows } = await m.db.query(
      `select i.indexname, i.indexdef, x.indisvalid from pg_indexes i
       join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
       where i.schemaname = 'public' and i.tablename in ('timeline', 'event', 'event_timeline_refs', 'user') order by 1`,
    );
    const defs = Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef]));
    expect(rows.every((row) => row.indisvalid)).toBe(true);
    expect(defs.timeline_public_name_unique).toBe(
      `CREATE UNIQUE INDEX timeline_public_name_unique ON public.timeline USING btree (upper(((name)::text COLLATE "und-x-icu")), timeline_type) WHERE ((timeline_type)::text = ANY ((ARRAY['hashtag'::character varying, 'community'::character varying])::text[]))`,
    );
    expect(defs.timeline_personal_name_unique).toBe(
      `CREATE UNIQUE INDEX timeline_personal_name_unique ON public.timeline USING btree (upper(((name)::text COLLATE "und-x-icu")), timeline_type, created_by) WHERE ((timeline_type)::text = 'personal'::text)`,
    );
    expect(defs.event_timeline_refs_pkey).toBe('CREATE UNIQUE INDEX event_timeline_refs_pkey ON public.event_timeline_refs USING btree (event_id, timeline_id)');
    expect(defs.event_timeline_refs_listing_idx).toBe(
      'CREATE INDEX event_timeline_refs_listing_idx ON public.event_timeline_refs USING btree (timeline_id, event_date DESC, event_id DESC)',
    );
    expect(defs.timeline_name_key).toBeUndefined();
    expect(Object.keys(defs).sort()).toEqual([
      'event_pkey', 'event_timeline_id_idx', 'event_timeline_refs_listing_idx', 'event_timeline_refs_pkey', 'timeline_personal_name_unique',
      'timeline_pkey', 'timeline_public_name_unique', 'user_email_key', 'user_pkey', 'user_username_key',
    ]);
  });

  it('leaves the constraints PostgreSQL reports, all validated', async () => {
    const { rows } = await m.db.query(
      `select conname, contype, convalidated, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid in ('timeline'::regclass, 'event'::regclass, 'event_timeline_refs'::regclass) order by conname`,
    );
    expect(rows.every((row) => row.convalidated)).toBe(true);
    expect(Object.fromEntries(rows.map((row) => [row.conname, row.def]))).toEqual({
      event_created_by_fkey: 'FOREIGN KEY (created_by) REFERENCES "user"(id)',
      event_pkey: 'PRIMARY KEY (id)',
      event_timeline_id_fkey: 'FOREIGN KEY (timeline_id) REFERENCES timeline(id)',
      event_timeline_refs_event_id_fkey: 'FOREIGN KEY (event_id) REFERENCES event(id)',
      event_timeline_refs_kind_check: `CHECK (((kind)::text = ANY ((ARRAY['home'::character varying, 'tag'::character varying, 'share'::character varying])::text[])))`,
      event_timeline_refs_pkey: 'PRIMARY KEY (event_id, timeline_id)',
      event_timeline_refs_shared_by_fkey: 'FOREIGN KEY (shared_by) REFERENCES "user"(id)',
      event_timeline_refs_timeline_id_fkey: 'FOREIGN KEY (timeline_id) REFERENCES timeline(id)',
      timeline_created_by_fkey: 'FOREIGN KEY (created_by) REFERENCES "user"(id)',
      timeline_personal_owner_check: `CHECK ((((timeline_type)::text <> 'personal'::text) OR (created_by IS NOT NULL)))`,
      timeline_pkey: 'PRIMARY KEY (id)',
      timeline_type_check: `CHECK (((timeline_type)::text = ANY ((ARRAY['hashtag'::character varying, 'community'::character varying, 'personal'::character varying])::text[])))`,
    });
  });

  it('leaves the columns the entities describe', async () => {
    const { rows } = await m.db.query(
      `select table_name || '.' || column_name as col, data_type, is_nullable, column_default from information_schema.columns
       where table_schema = 'public' and table_name in ('timeline', 'event', 'event_timeline_refs')
         and column_name in ('requires_approval', 'timeline_id', 'url', 'media_url', 'tags', 'event_date') order by 1`,
    );
    expect(rows.map((row) => [row.col, row.data_type, row.is_nullable, row.column_default])).toEqual([
      ['event.event_date', 'timestamp without time zone', 'NO', null],
      ['event.media_url', 'character varying', 'YES', null],
      ['event.tags', 'ARRAY', 'NO', `'{}'::text[]`],
      ['event.timeline_id', 'integer', 'YES', null],
      ['event.url', 'character varying', 'YES', null],
      ['event_timeline_refs.event_date', 'timestamp without time zone', 'NO', null],
      ['event_timeline_refs.timeline_id', 'integer', 'NO', null],
      ['timeline.requires_approval', 'boolean', 'NO', 'false'],
    ]);
  });

  it('agrees with the ORM metadata: `mikro-orm migration:check` finds nothing to generate', async () => {
    const { code, output } = await runCli('npx', ['mikro-orm', 'migration:check'], m.url);
    expect(output).toMatch(/No changes required/i);
    expect(code).toBe(0);
  }, 60_000);
});
