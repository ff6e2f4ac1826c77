import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20260301000300_create_timeline_viewer';

describe(STEP, () => {
  let m: MigrationDb;
  let notes: number;
  let friend: number;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    const owner = (await m.db.query(`insert into "user" (username) values ('ada') returning id`)).rows[0].id;
    friend = (await m.db.query(`insert into "user" (username) values ('bob') returning id`)).rows[0].id;
    notes = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ('Notes', 'personal', $1) returning id`, [owner])).rows[0].id;
    await m.up(STEP);
  });
  afterAll(() => m.close());

  it('creates the table: one grant per (timeline, user), gone with its timeline', async () => {
    await m.db.query(`insert into timeline_viewer (timeline_id, user_id) values ($1, $2)`, [notes, friend]);
    await expect(m.db.query(`insert into timeline_viewer (timeline_id, user_id) values ($1, $2)`, [notes, friend])).rejects.toMatchObject({ code: '23505' });
    await m.db.query(`delete from timeline where id = $1`, [notes]);
    expect((await m.db.query(`select count(*)::int as n from timeline_viewer`)).rows[0].n).toBe(0);
  });

  it('refuses to go down while grants exist, then goes down once they are gone', async () => {
    const owner = (await m.db.query(`select id from "user" where username = 'ada'`)).rows[0].id;
    const other = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ('Diary', 'personal', $1) returning id`, [owner])).rows[0].id;
    await m.db.query(`insert into timeline_viewer (timeline_id, user_id) values ($1, $2)`, [other, friend]);
    await expect(m.down(STEP)).rejects.toThrow(/cannot go down/);
    await m.db.query('delete from timeline_viewer');
    await m.down(STEP);
    expect((await m.db.query(`select to_regclass('timeline_viewer') as t`)).rows[0].t).toBeNull();
  });
});
