import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102001500_create_event_timeline_refs_listing_index';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('builds the listing index, valid', async () => {
    await ctx.m.up(NAME);
    expect(await ctx.one(`select i.indisvalid, pg_get_indexdef(i.indexrelid) as def from pg_index i where i.indexrelid = 'event_timeline_refs_listing_idx'::regclass`)).toEqual({
      indisvalid: true,
      def: 'CREATE INDEX event_timeline_refs_listing_idx ON public.event_timeline_refs USING btree (timeline_id, event_date DESC, event_id DESC)',
    });
    await ctx.m.down(NAME);
    expect(await ctx.one(`select to_regclass('event_timeline_refs_listing_idx') as idx`)).toEqual({ idx: null });
  });
});
