import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001100_add_event_timeline_refs_event_date';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('adds a nullable event_date, dropped going down', async () => {
    await ctx.m.up(NAME);
    expect(await ctx.column('event_timeline_refs', 'event_date')).toMatchObject({ is_nullable: 'YES' });
    await ctx.m.down(NAME);
    expect(await ctx.column('event_timeline_refs', 'event_date')).toBeUndefined();
  });
});
