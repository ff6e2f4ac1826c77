import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000800_timeline_requires_approval_not_null';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('backfills rows written since, then sets NOT NULL through a CHECK it drops', async () => {
    await ctx.m.db.query(`insert into timeline (name, requires_approval) values ('late', null)`);
    await ctx.m.up(NAME);
    expect(await ctx.column('timeline', 'requires_approval')).toMatchObject({ is_nullable: 'NO' });
    expect(await ctx.one(`select requires_approval from timeline where name = 'late'`)).toEqual({ requires_approval: false });
    expect(await ctx.one(`select count(*) from pg_constraint where conname like '%not_null'`)).toEqual({ count: '0' });
    await ctx.m.down(NAME);
    expect(await ctx.column('timeline', 'requires_approval')).toMatchObject({ is_nullable: 'YES' });
  });
});
