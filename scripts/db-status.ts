import { MikroORM } from '@mikro-orm/postgresql';
import { appliedMigrations, migrationNames } from '../src/db/migration-catalog';
import { ormConfig } from '../src/db/orm-config';
import { runScript, scriptDatabaseUrl, withClient } from './database';

/** `npm run db:status`: applied and pending migrations, and whether the ORM metadata and the database agree. */
runScript(async () => {
  const url = scriptDatabaseUrl();
  const applied = await withClient(appliedMigrations, url);
  const names = migrationNames();
  const appliedNames = new Set(applied.map((migration) => migration.name));
  const pending = names.filter((name) => !appliedNames.has(name));
  console.log(`Applied (${applied.length}):`);
  for (const { name, executedAt } of applied) {
    console.log(`  ${name}  ${executedAt.toISOString()}${names.includes(name) ? '' : '  (no such file in migrations/)'}`);
  }
  console.log(`Pending (${pending.length}):`);
  for (const name of pending) console.log(`  ${name}`);

  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 1 } }));
  try {
    const diff = (await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).trim();
    if (!diff) console.log('Schema: the database agrees with the ORM metadata (migration:check has nothing to generate).');
    else {
      console.log(`Schema: the database differs from the ORM metadata${pending.length ? ' (expected while migrations are pending)' : ''}; the ORM would run:`);
      console.log(diff.replace(/^/gm, '  '));
    }
    return diff || pending.length ? 1 : 0;
  } finally {
    await orm.close(true);
  }
});
