import { appliedMigrations, migrationNames, migrationSummary } from '../src/db/migration-catalog';
import { runScript, scriptDatabaseUrl, withClient } from './database';

/**
 * `npm run db:history`: every migration of the chain, oldest first, applied (with when) or pending, and the first
 * sentence of its description (Alembic's `history`). Without a database it lists the chain alone.
 */
runScript(async () => {
  let applied: Map<string, Date> | undefined;
  try {
    applied = new Map((await withClient(appliedMigrations, scriptDatabaseUrl())).map((m) => [m.name, m.executedAt]));
  } catch (error) {
    console.error(`${(error as Error).message.split('\n')[0]} Listing the chain alone.\n`);
  }
  const names = migrationNames();
  for (const name of names) {
    const when = applied?.get(name);
    const state = applied ? (when ? `applied ${when.toISOString()}` : 'pending') : '';
    console.log(`${name}${name === names[names.length - 1] ? ' (head)' : ''}${state ? `  [${state}]` : ''}`);
    console.log(`    ${migrationSummary(name)}`);
  }
  return 0;
});
