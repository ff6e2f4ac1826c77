import { migrationSql } from '../src/db/migration-catalog';
import { runScript } from './database';
import { selectPending } from './pending-migrations';

/**
 * `npm run db:sql -- [--to <migration>] [--all]`: the SQL `migration:up` would run, in order, each step marked
 * with its transaction boundaries (steps OUTSIDE a transaction say so). Runs nothing: it only reads which
 * migrations are applied, and with `--all` (or no database configured) it prints the chain from an empty database.
 */
runScript(async () => {
  const selection = await selectPending(process.argv.slice(2));
  if (!selection) return 2;
  const { names, from } = selection;
  if (names.length === 0) {
    console.log(`-- Nothing to run on ${from}.`);
    return 0;
  }
  console.log(`-- SQL of ${names.length} pending migration(s) on ${from}, in order. Nothing was run.`);
  for (const name of names) {
    console.log(`\n-- ==== ${name} ====\n${await migrationSql(name)}`);
    console.log(`insert into mikro_orm_migrations (name) values ('${name}');`);
  }
  return 0;
});
