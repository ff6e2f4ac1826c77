import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { before, migrationDb, type MigrationDb } from './support';

const STEP = 'Migration20260301000200_backfill_community_admins';

describe(STEP, () => {
  let m: MigrationDb;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    m = await migrationDb();
    await m.up(before(STEP));
    for (const name of ['ada', 'bob']) ids[name] = (await m.db.query(`insert into "user" (username) values ($1) returning id`, [name])).rows[0].id;
    const timeline = async (name: string, type: string, createdBy: number | null) =>
      (await m.db.query(`insert into timeline (name, timeline_type, created_by) values ($1, $2, $3) returning id`, [name, type, createdBy])).rows[0].id;
    ids.rust = await timeline('Rust', 'community', ids.ada);
    ids.go = await timeline('Go', 'community', ids.bob);
    ids.orphan = await timeline('Orphan', 'community', null);
    ids.tag = await timeline('rust', 'hashtag', ids.ada);
    ids.mine = await timeline('Notes', 'personal', ids.ada);
    await m.up(STEP);
  });
  afterAll(() => m.close());

  const rows = async () =>
    (await m.db.query(`select timeline_id, user_id, role, state from timeline_member order by timeline_id`)).rows.map((r) => [r.timeline_id, r.user_id, r.role, r.state]);

  it("makes each existing community's creator its ADMIN, ACTIVE; nothing for other timelines or creator-less communities", async () => {
    expect(await rows()).toEqual([
      [ids.rust, ids.ada, 'admin', 'active'],
      [ids.go, ids.bob, 'admin', 'active'],
    ]);
  });

  it("goes down removing only the creators' rows of communities nobody else joined", async () => {
    await m.db.query(`insert into timeline_member (timeline_id, user_id, role, state) values ($1, $2, 'member', 'active')`, [ids.go, ids.ada]);
    await m.down(STEP);
    expect(await rows()).toEqual([
      [ids.go, ids.bob, 'admin', 'active'],
      [ids.go, ids.ada, 'member', 'active'],
    ]);
  });

  it('is idempotent going up again', async () => {
    await m.up(STEP);
    expect(await rows()).toHaveLength(3);
    expect((await m.db.query(`select role from timeline_member where timeline_id = $1 and user_id = $2`, [ids.rust, ids.ada])).rows).toEqual([{ role: 'admin' }]);
  });
});
