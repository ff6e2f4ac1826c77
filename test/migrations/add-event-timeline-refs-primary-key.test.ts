import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001000_add_event_timeline_refs_primary_key';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('removes duplicate references, never a distinct pair, and adds the primary key', async () => {
    const [a, b] = (await ctx.m.db.query(`insert into timeline (name) values ('a'), ('b') returning id`)).rows.map((row) => row.id);
    const e = (await ctx.one(`insert into event (title, event_date, timeline_id, created_by) values ('e', now(), $1, $2) returning id`, [a, ctx.user])).id;
    await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id) values ($1, $2), ($1, $2), ($1, $2), ($1, $3)', [e, a, b]);
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query('select event_id, timeline_id from event_timeline_refs order by timeline_id');
    expect(rows).toEqual([{ event_id: e, timeline_id: a }, { event_id: e, timeline_id: b }]);
    expect(await ctx.one(`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'event_timeline_refs_pkey'`)).toEqual({ def: 'PRIMARY KEY (event_id, timeline_id)' });
    await ctx.m.down(NAME);
    expect(await ctx.one(`select count(*) from pg_class where relname = 'event_timeline_refs_pkey'`)).toEqual({ count: '0' });
  });
});
