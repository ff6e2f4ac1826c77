import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FIRST, LAST, MIGRATIONS, runCli } from '../migrations/support';
import { createTestDatabase } from '../support/database';

/** The README's table from the seed's Alembic commands to this project's, each run as shown there. */
describe('the Alembic commands of the seed, mapped', () => {
  it('upgrade +1, upgrade head, current, history, show, stamp head, downgrade -1, downgrade base', async () => {
    const url = await createTestDatabase({ empty: true });
    const db = new pg.Client(url);
    await db.connect();
    const applied = async () => (await db.query<{ name: string }>('select name from mikro_orm_migrations order by id')).rows.map((row) => row.name);
    try {
      // upgrade +1
      const one = await runCli('npm', ['run', '-s', 'db:up', '--', '+1'], url);
      expect(one.output).toContain(`Applied 1 of ${MIGRATIONS.length} pending migration(s), up to ${FIRST}.`);
      expect(await applied()).toEqual([FIRST]);
      const two = await runCli('npm', ['run', '-s', 'db:up', '--', '+2'], url);
      expect(two.code).toBe(0);
      expect(await applied()).toEqual(MIGRATIONS.slice(0, 3));

      // upgrade head
      const head = await runCli('npx', ['mikro-orm', 'migration:up'], url);
      expect(head.code).toBe(0);
      expect(await applied()).toEqual(MIGRATIONS);

      // current
      const current = await runCli('npm', ['run', '-s', 'db:status'], url);
      expect(current.output).toContain(`Applied (${MIGRATIONS.length}):`);
      expect(current.output).toContain('Pending (0):');
      expect(current.code).toBe(0);

      // history
      const history = await runCli('npm', ['run', '-s', 'db:history'], url);
      expect(history.output).toMatch(new RegExp(`${LAST} \\(head\\)  \\[applied \\d{4}-`));
      expect(history.output).toContain('The schema the Flask application left behind (V1), exactly');

      // show
      const show = await runCli('npm', ['run', '-s', 'db:show', '--', 'Migration20260301000400_index_event_home'], url);
      expect(show.output).toContain('create index concurrently "event_timeline_id_idx" on "event" (timeline_id);');
      expect(show.output).toContain('-- down\n');
      expect(show.output).toContain('drop index concurrently if exists "event_timeline_id_idx";');

      // stamp head: nothing left to record on a migrated database
      const stamp = await runCli('npm', ['run', '-s', 'db:stamp', '--', 'head'], url);
      expect(stamp.output).toContain('Nothing to stamp');

      // downgrade -1
      const back = await runCli('npx', ['mikro-orm', 'migration:down'], url);
      expect(back.code).toBe(0);
      expect(await applied()).toEqual(MIGRATIONS.slice(0, -1));

      // downgrade base
      const base = await runCli('npx', ['mikro-orm', 'migration:down', '--to', '0'], url);
      expect(base.output).toContain('Successfully migrated down');
      expect(await applied()).toEqual([]);
      const { rows } = await db.query(`select table_name from information_schema.tables where table_schema = 'public' and table_name <> 'mikro_orm_migrations'`);
      expect(rows).toEqual([]);
    } finally {
      await db.end();
    }
  }, 240_000);

  it('db:up refuses a count that is not a positive number', async () => {
    const url = await createTestDatabase({ empty: true });
    const bad = await runCli('npm', ['run', '-s', 'db:up', '--', '-1'], url);
    expect(bad.output).toContain('Usage: npm run db:up -- +N');
    expect(bad.code).toBe(2);
  });
});
