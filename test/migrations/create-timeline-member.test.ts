import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20260301000100_create_timeline_member';

describe(STEP, () => {
  let m: MigrationDb;
  let community: number;
  let user: number;
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    user = (await m.db.query(`insert into "user" (username) values ('ada') returning id`)).rows[0].id;
    community = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ('Rust', 'community', $1) returning id`, [user])).rows[0].id;
    await m.up(STEP);
  });
  afterAll(() => m.close());

  it('creates the table: one row per (timeline, user), known roles and states only', async () => {
    await m.db.query(`insert into timeline_member (timeline_id, user_id) values ($1, $2)`, [community, user]);
    expect((await m.db.query(`select role, state from timeline_member`)).rows).toEqual([{ role: 'member', state: 'active' }]);
    await expect(m.db.query(`insert into timeline_member (timeline_id, user_id) values ($1, $2)`, [community, user])).rejects.toMatchObject({ code: '23505' });
    await expect(m.db.query(`update timeline_member set role = 'owner'`)).rejects.toMatchObject({ code: '23514' });
    await expect(m.db.query(`update timeline_member set state = 'banned'`)).rejects.toMatchObject({ code: '23514' });
    await expect(m.db.query(`insert into timeline_member (timeline_id, user_id) values ($1, 999999)`, [community])).rejects.toMatchObject({ code: '23503' });
  });

  it('goes with its timeline (on delete cascade)', async () => {
    const other = (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ('Go', 'community', $1) returning id`, [user])).rows[0].id;
    await m.db.query(`insert into timeline_member (timeline_id, user_id) values ($1, $2)`, [other, user]);
    await m.db.query(`delete from timeline where id = $1`, [other]);
    expect((await m.db.query(`select count(*)::int as n from timeline_member where timeline_id = $1`, [other])).rows[0].n).toBe(0);
  });

  it('refuses to go down while memberships exist, then goes down once they are gone', async () => {
    await expect(m.down(STEP)).rejects.toThrow(/cannot go down/);
    expect((await m.db.query(`select to_regclass('timeline_member') as t`)).rows[0].t).toBe('timeline_member');
    await m.db.query('delete from timeline_member');
    await m.down(STEP);
    expect((await m.db.query(`select to_regclass('timeline_member') as t`)).rows[0].t).toBeNull();
    expect(await m.up(STEP)).toEqual([STEP]);
  });
});
