import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepContext, type StepContext } from './support';

const NAME = 'Migration20240102000700_normalise_timeline_names';

describe(NAME, () => {
  let ctx: StepContext;
  beforeAll(async () => {
    ctx = await stepContext(NAME);
  });
  afterAll(() => ctx.m.close());

  it('stores base names: own prefix stripped in any case, NFKC, trimmed, whitespace collapsed', async () => {
    await ctx.m.db.query(
      `insert into timeline (name, timeline_type, created_by) values ('#Foo', 'hashtag', $1), ('I-Foo', 'community', $1),
         ('my-  Foo ', 'personal', $1), ('Ｂａｒ', 'hashtag', $1), ('Plain', 'community', $1)`,
      [ctx.user],
    );
    await ctx.m.up(NAME);
    const { rows } = await ctx.m.db.query('select name from timeline order by id');
    expect(rows.map((row) => row.name)).toEqual(['Foo', 'Foo', 'Foo', 'Bar', 'Plain']);
    await ctx.m.down(NAME);
    expect((await ctx.m.db.query('select name from timeline order by id')).rows.map((row) => row.name)).toEqual(['Foo', 'Foo', 'Foo', 'Bar', 'Plain']);
  });
});
