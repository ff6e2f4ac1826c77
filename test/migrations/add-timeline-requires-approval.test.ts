import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000100_add_timeline_requires_approval';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('adds a nullable column whose default applies to new rows only, and drops it going down', async () => {
    await ctx.m.db.query(`insert into timeline (name) values ('old')`);
    await ctx.m.up(NAME);
    await ctx.m.db.query(`insert into timeline (name) values ('new')`);
    expect(await ctx.column('timeline', 'requires_approval')).toMatchObject({ is_nullable: 'YES', column_default: 'false' });
    const { rows } = await ctx.m.db.query('select name, requires_approval from timeline order by id');
    expect(rows).toEqual([{ name: 'old', requires_approval: null }, { name: 'new', requires_approval: false }]);
    await ctx.m.down(NAME);
    expect(await ctx.column('timeline', 'requires_approval')).toBeUndefined();
  });

  it('refuses, changing nothing, while a row blocks the V2 rules', async () => {
    await ctx.m.db.query(`insert into timeline (name, timeline_type) values ('#Dup', 'hashtag'), ('dup', 'HASHTAG')`);
    await expect(ctx.m.up(NAME)).rejects.toThrow(/refused to run and changed nothing[\s\S]*duplicate: hashtag "DUP"/);
    expect(await ctx.column('timeline', 'requires_approval')).toBeUndefined();
    await ctx.m.db.query(`delete from timeline where name = 'dup'`);
    expect(await ctx.m.up(NAME)).toEqual([NAME]);
  });
});
