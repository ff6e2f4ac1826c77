import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/db/orm-config';
import { runScript, scriptDatabaseUrl } from './database';

/**
 * `npm run db:up -- +N` (or `N`): applies the next N pending migrations, oldest first (Alembic's `upgrade +1`;
 * MikroORM's CLI goes to the latest or to a named migration only).
 */
runScript(async () => {
  const raw = process.argv[2] ?? '+1';
  const count = /^\+?\d+$/.test(raw) ? Number(raw.replace('+', '')) : NaN;
  if (!(count >= 1)) {
    console.error(`Usage: npm run db:up -- +N   (N >= 1, the number of pending migrations to apply; got "${raw}")`);
    return 2;
  }
  const orm = await MikroORM.init(ormConfig(scriptDatabaseUrl(), { pool: { min: 0, max: 2 } }));
  try {
    const migrator = orm.getMigrator();
    const pending = await migrator.getPendingMigrations();
    if (pending.length === 0) {
      console.log('Nothing to apply: no migration is pending.');
      return 0;
    }
    const to = pending[Math.min(count, pending.length) - 1].name;
    const applied = await migrator.up({ to });
    console.log(`Applied ${applied.length} of ${pending.length} pending migration(s), up to ${to}.`);
    return 0;
  } finally {
    await orm.close(true);
  }
});
