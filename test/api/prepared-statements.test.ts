import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/orm-config';
import { createContext } from '../../src/server/context';
import { contextDeps, useTestApi } from '../support/api';
import { insertEvent, newTimeline, newUser } from '../support/factories';

const api = useTestApi();

interface PreparedRow {
  name: string;
  generic_plans: string;
  custom_plans: string;
}

/**
 * The hot statements go to PostgreSQL as named prepared statements on the ORM's own connections. A pool of
 * one connection makes every operation's statements land on the session this test then inspects.
 */
describe('hot statements', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig(api.databaseUrl, { pool: { min: 1, max: 1 } }));
  });
  afterAll(() => orm?.close(true));

  it('are prepared once per connection and reuse a generic plan', async () => {
    const user = await newUser(api);
    const home = await newTimeline(api, user, { name: 'PreparedHome' });
    for (let i = 0; i < 30; i++) await insertEvent(api, { createdBy: user.id, homeId: home.id, tags: ['PreparedHome'] });
    await api.db.query('analyze');
    const deps = contextDeps(orm);
    const runs = 8;
    for (let i = 0; i < runs; i++) {
      const context = await createContext(deps, `Bearer ${user.token}`);
      const timeline = (await context.timelines.byFormattedName('#PreparedHome'))!;
      await context.timelines.byId(home.id);
      await context.events.page(timeline, { first: 20 });
      await context.events.createEvent({ title: `run ${i}`, tags: ['PreparedHome', `Prepared${i % 2}`] });
    }
    const rows = await orm.em.fork().getConnection().execute<PreparedRow[]>(`select name, generic_plans, custom_plans from pg_prepared_statements`);
    const byName = new Map(rows.map((row) => [row.name, { generic: Number(row.generic_plans), custom: Number(row.custom_plans) }]));
    for (const name of ['timeline.findByName.hashtag', 'timeline.findByIds', 'event.pages', 'hashtag.foldAndFind', 'event.insertListed']) {
      const plans = byName.get(name);
      expect(plans, name).toBeDefined();
      expect({ name, ...plans }, 'planned once, then its plan reused').toEqual({ name, generic: runs, custom: 0 });
    }
  });
});
