import { appliedMigrations, migrationNames, migrationSql } from '../src/db/migration-catalog';
import { runScript, scriptDatabaseUrl, withClient } from './database';

/**
 * `npm run db:sql -- [--to <migration>] [--all]`: the SQL `migration:up` would run, in order, each step marked
 * with its transaction boundaries (steps OUTSIDE a transaction say so). Runs nothing: it only reads which
 * migrations are applied, and with `--all` (or no database configured) it prints the chain from an empty database.
 */
runScript(async () => {
  const args = process.argv.slice(2);
  const to = args.includes('--to') ? args[args.indexOf('--to') + 1] : undefined;
  const names = migrationNames();
  if (to !== undefined && !names.includes(to)) {
    console.error(`Unknown migration "${to}". Migrations:\n${names.map((name) => `  ${name}`).join('\n')}`);
    return 2;
  }
  let applied = new Set<string>();
  let from = 'an empty database';
  if (!args.includes('--all')) {
    try {
      const url = scriptDatabaseUrl();
      applied = new Set((await withClient(appliedMigrations, url)).map((migration) => migration.name));
      from = 'the database';
    } catch (error) {
      console.error(`-- ${(error as Error).message.split('\n')[0]} Printing the chain from an empty database.`);
    }
  }
  const pending = names.filter((name) => !applied.has(name));
  const selected = to ? pending.slice(0, pending.indexOf(to) + 1) : pending;
  if (selected.length === 0) {
    console.log(`-- Nothing to run on ${from}.`);
    return 0;
  }
  console.log(`-- SQL of ${selected.length} pending migration(s) on ${from}, in order. Nothing was run.`);
  for (const name of selected) {
    console.log(`\n-- ==== ${name} ====\n${await migrationSql(name)}`);
    console.log(`insert into mikro_orm_migrations (name) values ('${name}');`);
  }
  return 0;
});
