import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000300_normalise_timeline_types';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('lower-cases every type string', async () => {
    await ctx.m.db.query(`insert into timeline (name, timeline_type, created_by) values ('a', 'Hashtag', $1), ('b', 'COMMUNITY', $1), ('c', ' Personal', $1)`, [ctx.user]);
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query('select timeline_type from timeline order by id');
    expect(rows.map((row) => row.timeline_type)).toEqual(['hashtag', 'community', 'personal']);
    await ctx.m.down(NAME);
    expect(await ctx.one(`select count(*) from timeline where timeline_type = 'hashtag'`)).toEqual({ count: '1' });
  });

  it('refuses on an unknown type, changing nothing', async () => {
    await ctx.m.db.query(`insert into timeline (name, timeline_type) values ('odd', 'List'), ('D', 'HASHTAG')`);
    await expect(ctx.m.up(NAME)).rejects.toThrow(/unknown-type: type "List"/);
    expect(await ctx.one(`select timeline_type from timeline where name = 'D'`)).toEqual({ timeline_type: 'HASHTAG' });
  });
});
