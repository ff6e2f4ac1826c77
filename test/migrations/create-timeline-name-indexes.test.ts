import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000500_create_timeline_name_indexes';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('builds both partial unique indexes, valid, folding case like JavaScript', async () => {
    await ctx.m.db.query(`insert into timeline (name, timeline_type, created_by) values ('straße', 'hashtag', $1), ('Mine', 'personal', $1)`, [ctx.user]);
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query(`select c.relname, i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname like 'timeline_%_name_unique' order by 1`);
    expect(rows).toEqual([{ relname: 'timeline_personal_name_unique', indisvalid: true }, { relname: 'timeline_public_name_unique', indisvalid: true }]);
    await expect(ctx.m.db.query(`insert into timeline (name, timeline_type) values ('STRASSE', 'hashtag')`)).rejects.toThrow(/timeline_public_name_unique/);
    await expect(ctx.m.db.query(`insert into timeline (name, timeline_type, created_by) values ('MINE', 'personal', $1)`, [ctx.user])).rejects.toThrow(/timeline_personal_name_unique/);
    await ctx.m.down(NAME);
    expect(await ctx.one(`select count(*) from pg_class where relname like 'timeline_%_name_unique'`)).toEqual({ count: '0' });
  });
});
