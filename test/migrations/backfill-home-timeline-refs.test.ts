import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001300_backfill_home_timeline_refs';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('adds the reference row of each event home timeline it lacks, once', async () => {
    const [a, b] = (await ctx.m.db.query(`insert into timeline (name) values ('a'), ('b') returning id`)).rows.map((row) => row.id);
    const events = (await ctx.m.db.query(`insert into event (title, event_date, timeline_id, created_by) values ('e1', now(), $1, $3), ('e2', now(), $2, $3) returning id`, [a, b, ctx.user])).rows.map((row) => row.id);
    await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id, event_date) values ($1, $2, now())', [events[0], a]);
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query('select event_id, timeline_id, event_date is not null as dated from event_timeline_refs order by event_id');
    expect(rows).toEqual([{ event_id: events[0], timeline_id: a, dated: true }, { event_id: events[1], timeline_id: b, dated: true }]);
    await ctx.m.down(NAME);
    expect(await ctx.one('select count(*) from event_timeline_refs')).toEqual({ count: '2' });
  });
});
