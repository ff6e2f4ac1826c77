import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20261203000100_event_timeline_refs_listing_kind';

describe(NAME, () => {
  let ctx: StepContext;
  let hashtag: number;
  let community: number;
  let event: number;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
    hashtag = (await ctx.one(`insert into timeline (name, timeline_type) values ('Rain', 'hashtag') returning id`)).id;
    community = (await ctx.one(`insert into timeline (name, timeline_type, created_by) values ('Weather', 'community', $1) returning id`, [ctx.user])).id;
    const home = (await ctx.one(`insert into timeline (name, timeline_type, created_by) values ('Notes', 'community', $1) returning id`, [ctx.user])).id;
    event = (await ctx.one(`insert into event (title, event_date, timeline_id, created_by) values ('e', now(), $1, $2) returning id`, [home, ctx.user])).id;
    for (const timeline of [home, hashtag, community]) {
      await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id, event_date) values ($1, $2, now())', [event, timeline]);
    }
    await ctx.m.up(NAME);
  });
  afterAll(() => ctx.m.close());

  const kinds = async () =>
    (await ctx.m.db.query(`select t.name, r.kind, r.shared_by from event_timeline_refs r join timeline t on t.id = r.timeline_id order by t.name`)).rows;

  it('backfills each existing listing: home, tag on a hashtag, share (sharer unknown) elsewhere; kind becomes NOT NULL', async () => {
    expect(await kinds()).toEqual([
      { name: 'Notes', kind: 'home', shared_by: null },
      { name: 'Rain', kind: 'tag', shared_by: null },
      { name: 'Weather', kind: 'share', shared_by: null },
    ]);
    expect(await ctx.column('event_timeline_refs', 'kind')).toMatchObject({ is_nullable: 'NO' });
    const { rows } = await ctx.m.db.query(
      `select conname, convalidated from pg_constraint where conname in ('event_timeline_refs_kind_check', 'event_timeline_refs_shared_by_fkey') order by conname`,
    );
    expect(rows).toEqual([
      { conname: 'event_timeline_refs_kind_check', convalidated: true },
      { conname: 'event_timeline_refs_shared_by_fkey', convalidated: true },
    ]);
    await expect(ctx.m.db.query(`update event_timeline_refs set kind = 'pinned' where event_id = $1`, [event])).rejects.toThrow(/kind_check/);
  });

  it('fills the kind of a row the previous version inserts without one', async () => {
    const other = (await ctx.one(`insert into timeline (name, timeline_type) values ('Sun', 'hashtag') returning id`)).id;
    await ctx.m.db.query('insert into event_timeline_refs (event_id, timeline_id, event_date) values ($1, $2, now())', [event, other]);
    expect((await ctx.one('select kind from event_timeline_refs where timeline_id = $1', [other])).kind).toBe('tag');
    await ctx.m.db.query('delete from event_timeline_refs where timeline_id = $1', [other]);
  });

  it('refuses to go down while a listing remembers its sharer, then goes down and up again', async () => {
    await ctx.m.db.query('update event_timeline_refs set shared_by = $1 where timeline_id = $2', [ctx.user, community]);
    await expect(ctx.m.down(NAME)).rejects.toThrow(/cannot go down and changed nothing: 1 listing\(s\) remember who shared them/);
    expect(await ctx.column('event_timeline_refs', 'shared_by')).toBeDefined();

    await ctx.m.db.query('update event_timeline_refs set shared_by = null');
    await ctx.m.down(NAME);
    expect(await ctx.column('event_timeline_refs', 'kind')).toBeUndefined();
    expect((await ctx.m.db.query(`select 1 from pg_trigger where tgname = 'event_timeline_refs_fill_kind'`)).rowCount).toBe(0);
    await ctx.m.up(NAME);
    expect((await kinds()).map((row) => row.kind)).toEqual(['home', 'tag', 'share']);
  });
});
