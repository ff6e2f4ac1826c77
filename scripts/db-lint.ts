import { migrationSql } from '../src/db/migration-catalog';
import { formatFinding, lintMigrationSql } from '../src/db/migration-lint';
import { runScript } from './database';
import { selectPending } from './pending-migrations';

/**
 * `npm run db:lint -- [--to <migration>] [--all]`: squawk on the SQL of the pending migrations (what `db:sql`
 * prints), or of the whole chain with `--all`. Exit 1 when it finds anything that `src/db/lint-excuses.ts` does not
 * excuse.
 */
runScript(async () => {
  const selection = await selectPending(process.argv.slice(2));
  if (!selection) return 2;
  const { names, from } = selection;
  if (names.length === 0) {
    console.log(`Nothing to lint: no migration is pending on ${from}.`);
    return 0;
  }
  const migrations = await Promise.all(names.map(async (name) => ({ name, sql: await migrationSql(name) })));
  const { findings, excused } = await lintMigrationSql(migrations);
  for (const finding of findings) console.log(`${formatFinding(finding)}\n`);
  const excusedRules = [...new Set(excused.map(({ finding }) => finding.rule))].sort();
  console.log(
    `squawk: ${names.length} migration(s) pending on ${from}, ${findings.length} finding(s)` +
      (excused.length ? `; ${excused.length} excused (${excusedRules.join(', ')}: see src/db/lint-excuses.ts)` : ''),
  );
  return findings.length > 0 ? 1 : 0;
});
