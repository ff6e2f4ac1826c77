import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000200_backfill_timeline_requires_approval';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('backfills false in batches, leaving no null', async () => {
    process.env.MIGRATION_BATCH_SIZE = '7';
    try {
      await ctx.m.db.query(`insert into timeline (name, requires_approval) select 't' || n, null from generate_series(1, 30) n`);
      await ctx.m.db.query(`update timeline set requires_approval = true where name = 't3'`);
      await ctx.m.up(NAME);
    } finally {
      delete process.env.MIGRATION_BATCH_SIZE;
    }
    expect(await ctx.one('select count(*) filter (where requires_approval is null) as nulls, count(*) filter (where requires_approval) as yes from timeline')).toEqual({ nulls: '0', yes: '1' });
    await ctx.m.down(NAME);
    expect(await ctx.one('select count(*) from timeline')).toEqual({ count: '30' });
  });
});
