import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001200_backfill_event_timeline_refs_event_date';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('copies each event date onto its references', async () => {
    const t = (await ctx.one(`insert into timeline (name) values ('t') returning id`)).id;
    const e = (await ctx.one(`insert into event (title, event_date, timeline_id, created_by) values ('e', '2022-02-02 10:00', $1, $2) returning id`, [t, ctx.user])).id;
    await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2)', [e, t]);
    await ctx.m.up(NAME);
    const row = await ctx.one('select event_date::text from event_timeline_refs');
    expect(row.event_date).toBe('2022-02-02 10:00:00');
    await ctx.m.down(NAME);
  });
});
