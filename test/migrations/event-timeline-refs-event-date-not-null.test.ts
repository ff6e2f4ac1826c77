import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001400_event_timeline_refs_event_date_not_null';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('backfills what was written since, then sets NOT NULL', async () => {
    const t = (await ctx.one(`insert into timeline (name) values ('t') returning id`)).id;
    const e = (await ctx.one(`insert into event (title, event_date, timeline_id, created_by) values ('late', now(), $1, $2) returning id`, [t, ctx.user])).id;
    await ctx.m.up(NAME);
    expect(await ctx.column('event_timeline_refs', 'event_date')).toMatchObject({ is_nullable: 'NO' });
    expect(await ctx.one('select event_id, timeline_id from event_timeline_refs')).toEqual({ event_id: e, timeline_id: t });
    await ctx.m.down(NAME);
    expect(await ctx.column('event_timeline_refs', 'event_date')).toMatchObject({ is_nullable: 'YES' });
  });
});
