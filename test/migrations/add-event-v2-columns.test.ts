import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000900_add_event_v2_columns';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('makes the home timeline optional and adds url, media_url and tags', async () => {
    const timeline = (await ctx.one(`insert into timeline (name) values ('t') returning id`)).id;
    await ctx.m.db.query(`insert into event (title, event_date, timeline_id, created_by) values ('old', now(), $1, $2)`, [timeline, ctx.user]);
    await ctx.m.up(NAME);
    expect(await ctx.one(`select tags, url, media_url from event`)).toEqual({ tags: [], url: null, media_url: null });
    await ctx.m.db.query(`insert into event (title, event_date, created_by, url) values ('homeless', now(), $1, 'https://x.test')`, [ctx.user]);
    await expect(ctx.m.down(NAME)).rejects.toThrow(/1 event\(s\) have no home timeline, 1 have a URL and 0 have tags/);
    await ctx.m.db.query(`delete from event where title = 'homeless'`);
    await ctx.m.down(NAME);
    expect(await ctx.column('event', 'timeline_id')).toMatchObject({ is_nullable: 'NO' });
    expect(await ctx.column('event', 'tags')).toBeUndefined();
  });
});
