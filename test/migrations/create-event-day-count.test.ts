import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayCountDrift } from '../support/day-counts';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20261203000300_create_event_day_count';

describe(STEP, () => {
  let m: MigrationDb;
  let timelines: number[];
  let user: number;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    user = (await m.db.query(`insert into "user" (username) values ('ada') returning id`)).rows[0].id;
    const { rows } = await m.db.query(
      `insert into timeline (name, timeline_type, visibility, created_by) values
         ('Rain', 'hashtag', 'public', null), ('Open', 'community', 'public', $1), ('Secret', 'community', 'private', $1)
       returning id`,
      [user],
    );
    timelines = rows.map((row) => row.id);
    // 300 events over 40 days: homeless, homed on the public and on the private community; each listed on its home and on #Rain.
    await m.db.query(
      `with e as (
         insert into event (title, event_date, timeline_id, created_by)
         select 'e' || i, timestamp '2024-01-01' + interval '191 minutes' * i, (array[null, $2::int, $3::int])[1 + i % 3], $1
         from generate_series(1, 300) i returning id, event_date, timeline_id)
       insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
       select id, timeline_id, event_date, 'home' from e where timeline_id is not null
       union all select id, $4, event_date, 'tag' from e`,
      [user, timelines[1], timelines[2], timelines[0]],
    );
  });
  afterAll(() => m.close());

  it('backfills in batches while listings are written, deleted and moved, neither missing nor double counting one', async () => {
    const writer = new pg.Client(m.url);
    await writer.connect();
    let stop = false;
    let writes = 0;
    const write = async () => {
      for (let i = 0; !stop; i++) {
        // A new event listed on its home and the hashtag; an old one moved to another day; one deleted as deleteEvent does.
        await writer.query(
          `with e as (insert into event (title, event_date, timeline_id, created_by) values ('w', timestamp '2024-01-03' + interval '7 hours' * $1, $2, $3)
             returning id, event_date, timeline_id)
           insert into event_timeline_refs (event_id, timeline_id, event_date, kind)
           select id, timeline_id, event_date, 'home' from e union all select id, $4, event_date, 'tag' from e`,
          [i, timelines[1 + (i % 2)], user, timelines[0]],
        );
        await writer.query(`update event_timeline_refs set event_date = event_date + interval '1 day' where event_id = (select min(event_id) + $1 from event_timeline_refs)`, [i % 250]);
        await writer.query(
          `with gone as (delete from event_timeline_refs where event_id = (select max(event_id) - 5 from event_timeline_refs) returning event_id),
           ev as (delete from event where id in (select event_id from gone))
           select 1`,
        );
        writes++;
      }
    };
    process.env.MIGRATION_BATCH_SIZE = '7';
    const writing = write();
    try {
      await m.up(STEP);
    } finally {
      delete process.env.MIGRATION_BATCH_SIZE;
      stop = true;
      await writing;
      await writer.end();
    }
    expect(writes).toBeGreaterThan(0);
    expect(await dayCountDrift(m.db)).toEqual([]);
    expect((await m.db.query(`select to_regclass('event_day_count_backfill') as t`)).rows[0].t).toBeNull();
  });

  it('keeps counting every listing after the backfill, and moves a community whose visibility changes', async () => {
    await m.db.query(`update timeline set visibility = 'public' where id = $1`, [timelines[2]]);
    const hidden = async () => Number((await m.db.query(`select coalesce(sum(count), 0) as n from event_day_count where hidden_home = $1`, [timelines[2]])).rows[0].n);
    expect(await hidden()).toBe(0);
    await m.db.query(`update timeline set visibility = 'private' where id = $1`, [timelines[2]]);
    expect(await hidden()).toBeGreaterThan(90);
    await m.db.query(`delete from event_timeline_refs where event_id in (select id from event order by id limit 20)`);
    expect(await dayCountDrift(m.db)).toEqual([]);
  });

  it('goes down: the counts are derived, nothing is lost', async () => {
    await m.down(STEP);
    expect((await m.db.query(`select to_regclass('event_day_count') as t`)).rows[0].t).toBeNull();
    expect((await m.db.query(`select count(*)::int as n from pg_trigger where tgname like 'event_day_count%'`)).rows[0].n).toBe(0);
    await m.db.query(`insert into event_timeline_refs (event_id, timeline_id, event_date, kind) select id, $1, event_date, 'share' from event where timeline_id = $2 limit 1`, [
      timelines[1],
      timelines[2],
    ]);
  });
});
