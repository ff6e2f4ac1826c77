import { MikroORM } from '@mikro-orm/postgresql';
import { appliedMigrations, migrationEvidence, migrationNames } from '../src/db/migration-catalog';
import { ormConfig } from '../src/db/orm-config';
import { runScript, scriptDatabaseUrl, withClient } from './database';

/**
 * `npm run db:stamp -- <migration|head>`: records the migrations up to and including <migration> as applied
 * without running them, for a database already in that state (a V1 database adopted at the first migration).
 * Refuses, recording nothing, when the schema or data visibly is not in that state.
 */
runScript(async () => {
  const target = process.argv[2];
  const names = migrationNames();
  const resolved = target === 'head' ? names[names.length - 1] : target;
  if (!resolved || !names.includes(resolved)) {
    console.error(`Usage: npm run db:stamp -- <migration|head>\nMigrations:\n${names.map((name) => `  ${name}`).join('\n')}`);
    return 2;
  }
  const url = scriptDatabaseUrl();
  const upTo = names.slice(0, names.indexOf(resolved) + 1);
  const { toStamp, problems } = await withClient(async (client) => {
    const applied = new Set((await appliedMigrations(client)).map((migration) => migration.name));
    const problems: string[] = [];
    for (const name of upTo) {
      for (const problem of await migrationEvidence(client, name)) problems.push(`${name}: ${problem}`);
    }
    return { toStamp: upTo.filter((name) => !applied.has(name)), problems };
  }, url);
  if (problems.length > 0) {
    console.error(`Refusing to stamp ${resolved}: the database is not in that state (nothing recorded).\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  if (toStamp.length === 0) {
    console.log(`Nothing to stamp: every migration up to ${resolved} is already recorded.`);
    return 0;
  }
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 1 } }));
  try {
    const migrator = orm.getMigrator();
    await migrator.getExecutedMigrations(); // creates the migrations table when missing
    for (const name of toStamp) await migrator.getStorage().logMigration({ name, context: null });
  } finally {
    await orm.close(true);
  }
  console.log(`Stamped as applied (not run):\n${toStamp.map((name) => `  ${name}`).join('\n')}`);
  return 0;
});
