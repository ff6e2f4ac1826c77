import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001600_event_timeline_refs_event_date_from_event';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('lets a V1 writer insert reference rows without event_date, and leaves given dates alone', async () => {
    const t = (await ctx.one(`insert into timeline (name) values ('t') returning id`)).id;
    const other = (await ctx.one(`insert into timeline (name) values ('u') returning id`)).id;
    const e = (
      await ctx.one(`insert into event (title, event_date, timeline_id, created_by) values ('v1', '2020-05-01 10:00', $1, $2) returning id`, [t, ctx.user])
    ).id;
    await expect(ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [e, other])).rejects.toThrow(/null/);

    await ctx.m.up(NAME);
    await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [e, other]);
    expect(await ctx.one('select event_date::text as d from event_timeline_refs where event_id = $1 and timeline_id = $2', [e, other])).toEqual({
      d: '2020-05-01 10:00:00',
    });

    await ctx.m.down(NAME);
    await expect(ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [e, t])).rejects.toThrow(/null/);
  });
});
