import { appliedMigrations, migrationNames } from '../src/db/migration-catalog';
import { scriptDatabaseUrl, withClient } from './database';

export interface Selection {
  names: string[];
  /** What they are pending on: "the database", or "an empty database" (`--all`, or no database configured). */
  from: string;
}

/**
 * The migrations `migration:up` would run (`db:sql`, `db:lint`): arguments `[--to <migration>] [--all]`. Reads only
 * which migrations are applied. Undefined (after saying why) when `--to` names no migration.
 */
export async function selectPending(args: string[]): Promise<Selection | undefined> {
  const to = args.includes('--to') ? args[args.indexOf('--to') + 1] : undefined;
  const names = migrationNames();
  if (to !== undefined && !names.includes(to)) {
    console.error(`Unknown migration "${to}". Migrations:\n${names.map((name) => `  ${name}`).join('\n')}`);
    return undefined;
  }
  let applied = new Set<string>();
  let from = 'an empty database';
  if (!args.includes('--all')) {
    try {
      const url = scriptDatabaseUrl();
      applied = new Set((await withClient(appliedMigrations, url)).map((migration) => migration.name));
      from = 'the database';
    } catch (error) {
      console.error(`-- ${(error as Error).message.split('\n')[0]} Using the chain from an empty database.`);
    }
  }
  const pending = names.filter((name) => !applied.has(name));
  return { names: to ? pending.slice(0, pending.indexOf(to) + 1) : pending, from };
}
