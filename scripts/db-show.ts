import { migrationDescription, migrationNames, migrationSql } from '../src/db/migration-catalog';
import { runScript } from './database';

/** `npm run db:show -- <migration|head>`: a migration's description and the SQL of its up and down (Alembic's `show`). */
runScript(async () => {
  const names = migrationNames();
  const target = process.argv[2] === 'head' ? names[names.length - 1] : process.argv[2];
  if (!target || !names.includes(target)) {
    console.error(`Usage: npm run db:show -- <migration|head>\nMigrations:\n${names.map((name) => `  ${name}`).join('\n')}`);
    return 2;
  }
  console.log(`${target}\n\n${migrationDescription(target)}\n\n-- up\n${await migrationSql(target, 'up')}\n\n-- down\n${await migrationSql(target, 'down')}`);
  return 0;
});
