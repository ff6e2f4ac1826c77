import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20260301000400_index_event_home';

describe(STEP, () => {
  let m: MigrationDb;
  let home: number;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    const user = (await m.db.query(`insert into "user" (username) values ('ada') returning id`)).rows[0].id;
    home = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ('Notes', 'personal', $1) returning id`, [user])).rows[0].id;
    await m.db.query(`insert into event (title, event_date, timeline_id, created_by) select 'e' || i, now(), $1, $2 from generate_series(1, 200) i`, [home, user]);
    await m.up(STEP);
  });
  afterAll(() => m.close());

  const validity = async () =>
    (await m.db.query(`select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'event_timeline_id_idx'`)).rows[0]?.indisvalid;

  it('builds a valid index that finds the events homed on a timeline', async () => {
    expect(await validity()).toBe(true);
    await m.db.query('set enable_seqscan = off');
    const plan = (await m.db.query(`explain select id from event where timeline_id = $1`, [home])).rows.map((r) => r['QUERY PLAN']).join('\n');
    await m.db.query('reset enable_seqscan');
    expect(plan).toContain('event_timeline_id_idx');
  });

  it('goes down and up again', async () => {
    await m.down(STEP);
    expect(await validity()).toBeUndefined();
    await m.up(STEP);
    expect(await validity()).toBe(true);
  });
});
