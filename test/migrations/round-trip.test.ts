import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST, MIGRATIONS, migrationDb, snapshot, type MigrationDb } from './support';

const schemaOf = async (m: MigrationDb) => {
  const { columns, constraints, indexes } = JSON.parse(await snapshot(m.db));
  return { columns, constraints, indexes };
};

/** Every `down()` works from the state its `up()` left; those that would lose data or break V1 rules refuse. */
describe('up → down to the first migration → up, on data', () => {
  let m: MigrationDb;
  let v1Schema: object;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(FIRST);
    v1Schema = await schemaOf(m);
    const user = (await m.db.query(`insert into "user" (username) values ('ann') returning id`)).rows[0].id;
    await m.db.query(
      `insert into timeline (name, timeline_type, created_by) values ('#Rain', 'Hashtag', $1), ('i-Clouds', 'community', $1), ('My-Sky', 'personal', $1)`,
      [user],
    );
    await m.db.query(`insert into event (title, event_date, timeline_id, created_by) select 'on ' || name, now(), id, $1 from timeline`, [user]);
    await m.db.query(`insert into event_timeline_refs (event_id, timeline_id) select e.id, t.id from event e, timeline t where t.name = '#Rain'`);
    await m.up();
  });
  afterAll(() => m.close());

  it('refuses to go below the event V2 columns while an event has tags, changing nothing', async () => {
    await m.db.query(`update event set tags = '{rain}' where title = 'on #Rain'`);
    await expect(m.down(MIGRATIONS[1])).rejects.toThrow(/add_event_v2_columns cannot go down and changed nothing: 0 event\(s\) have no home timeline, 0 have a URL and 1 have tags/);
    expect((await m.applied()).at(-1)).toBe('Migration20240102000900_add_event_v2_columns');
    const { rows } = await m.db.query(
      `select column_name, is_nullable from information_schema.columns where table_name = 'event' and column_name in ('timeline_id', 'url', 'media_url', 'tags') order by 1`,
    );
    expect(rows.map((row) => `${row.column_name}:${row.is_nullable}`)).toEqual(['media_url:YES', 'tags:NO', 'timeline_id:YES', 'url:YES']);
    expect((await m.db.query(`select tags from event where title = 'on #Rain'`)).rows[0].tags).toEqual(['rain']);
    await m.db.query(`update event set tags = '{}'`);
  });

  it('refuses to restore UNIQUE(name) while two timelines share a name, changing nothing', async () => {
    await m.db.query(`insert into timeline (name, timeline_type, requires_approval) values ('Rain', 'community', false)`);
    await expect(m.down(MIGRATIONS[1])).rejects.toThrow(/drop_timeline_name_key cannot go down and changed nothing: .*"Rain" \(timelines \d+, \d+\)/);
    expect((await m.applied()).at(-1)).toBe('Migration20240102000600_drop_timeline_name_key');
    const { rows } = await m.db.query(`select 1 from pg_class where relname = 'timeline_name_key'`);
    expect(rows).toEqual([]);
    await m.db.query(`delete from timeline where name = 'Rain' and timeline_type = 'community'`);
  });

  it('goes down to the V1 schema exactly, keeping every row', async () => {
    await m.down(MIGRATIONS[1]);
    expect(await m.applied()).toEqual([FIRST]);
    expect(await schemaOf(m)).toEqual(v1Schema);
    const { rows } = await m.db.query('select name, timeline_type from timeline order by id');
    // Base names and lower-case types are valid V1 data; the old prefixes are not kept (see the names migration).
    expect(rows).toEqual([
      { name: 'Rain', timeline_type: 'hashtag' },
      { name: 'Clouds', timeline_type: 'community' },
      { name: 'Sky', timeline_type: 'personal' },
    ]);
    expect((await m.db.query('select count(*) from event')).rows[0].count).toBe('3');
  });

  it('comes back up', async () => {
    expect(await m.up()).toEqual(MIGRATIONS.slice(1));
    const { rows } = await m.db.query('select count(*) from event_timeline_refs');
    expect(rows[0].count).toBe('5');
  });
});
