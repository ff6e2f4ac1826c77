import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000600_drop_timeline_name_key';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('drops UNIQUE(name) so that types share base names; restores it going down', async () => {
    await ctx.m.up(NAME);
    await ctx.m.db.query(`insert into timeline (name, timeline_type) values ('Foo', 'hashtag'), ('Foo', 'community')`);
    await expect(ctx.m.down(NAME)).rejects.toThrow(/cannot go down and changed nothing/);
    await ctx.m.db.query(`update timeline set name = 'Bar' where timeline_type = 'community'`);
    await ctx.m.down(NAME);
    expect(await ctx.one(`select contype from pg_constraint where conname = 'timeline_name_key'`)).toEqual({ contype: 'u' });
  });

  it('refuses while a V2 index is missing', async () => {
    await ctx.m.db.query('drop index timeline_personal_name_unique');
    await expect(ctx.m.up(NAME)).rejects.toThrow(/index timeline_personal_name_unique is missing or INVALID/);
  });
});
