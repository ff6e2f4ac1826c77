import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000400_add_timeline_checks';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('adds both CHECKs, validated; new rows that break them are refused', async () => {
    await ctx.m.db.query(`insert into timeline (name, timeline_type, created_by) values ('p', 'personal', $1)`, [ctx.user]);
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query(`select conname, convalidated from pg_constraint where contype = 'c' and conrelid = 'timeline'::regclass order by 1`);
    expect(rows).toEqual([{ conname: 'timeline_personal_owner_check', convalidated: true }, { conname: 'timeline_type_check', convalidated: true }]);
    await expect(ctx.m.db.query(`insert into timeline (name, timeline_type) values ('x', 'Hashtag')`)).rejects.toThrow(/timeline_type_check/);
    await expect(ctx.m.db.query(`insert into timeline (name, timeline_type) values ('y', 'personal')`)).rejects.toThrow(/timeline_personal_owner_check/);
    await ctx.m.down(NAME);
    await ctx.m.db.query(`insert into timeline (name, timeline_type) values ('z', 'Hashtag')`);
  });
});
