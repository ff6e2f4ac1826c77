import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationNames, migrationSql } from '../../src/db/migration-catalog';
import { LINT_EXCUSES } from '../../src/db/lint-excuses';
import { lintMigrationSql } from '../../src/db/migration-lint';
import { runCli } from '../migrations/support';
import { createTestDatabase } from '../support/database';
import { scratchProject } from '../support/scratch-project';

describe('npm run db:lint (squawk on the SQL of the migrations)', () => {
  const scratch = scratchProject();
  afterAll(() => scratch.remove());

  it('finds nothing unexcused in the whole chain, and every excuse still excuses something', async () => {
    const { code, output } = await runCli('npm', ['run', '-s', 'db:lint', '--', '--all']);
    expect(output).toMatch(/squawk: \d+ migration\(s\) pending on an empty database, 0 finding\(s\)/);
    expect(code).toBe(0);

    const migrations = await Promise.all(migrationNames().map(async (name) => ({ name, sql: await migrationSql(name) })));
    const { findings, excused } = await lintMigrationSql(migrations);
    expect(findings).toEqual([]);
    const unused = LINT_EXCUSES.filter((excuse) => !excused.some((entry) => entry.excuse === excuse));
    expect(unused.map((excuse) => `${excuse.rule} ${excuse.migrations ?? excuse.statement ?? ''}`)).toEqual([]);
  });

  it('without its excuses, the chain has findings (squawk really reads it)', async () => {
    const sql = await migrationSql('Migration20240101000000_legacy_v1_schema');
    const { findings } = await lintMigrationSql([{ name: 'Migration20240101000000_legacy_v1_schema', sql }], []);
    expect(findings.map((finding) => finding.rule)).toContain('prefer-identity');
  });

  it('catches a plain CREATE INDEX on a populated table in a pending migration, and exits 1', async () => {
    const url = await createTestDatabase();
    const db = new pg.Client(url);
    await db.connect();
    await db.query(`with u as (insert into "user" (username) values ('lint') returning id)
      insert into event (title, event_date, created_by) select 'an event', now(), id from u`);
    await db.end();
    writeFileSync(
      join(scratch.root, 'migrations', 'Migration20990101000000_index_event_title.ts'),
      `import { StepMigration, transaction, type Step } from '../src/db/migration-support';

export class Migration20990101000000_index_event_title extends StepMigration {
  upSteps(): Step[] {
    return [transaction('index event.title', 'create index if not exists event_title_idx on event (title)')];
  }

  downSteps(): Step[] {
    return [transaction('drop index event_title_idx', 'drop index if exists event_title_idx')];
  }

  async verify(): Promise<string[]> {
    return [];
  }
}
`,
    );
    const { code, output } = await scratch.run('npm', ['run', '-s', 'db:lint'], url);
    expect(output).toContain('Migration20990101000000_index_event_title:');
    expect(output).toContain('require-concurrent-index-creation');
    expect(output).toContain('create index if not exists event_title_idx on event (title)');
    expect(output).toMatch(/squawk: 1 migration\(s\) pending on the database, 1 finding\(s\)/);
    expect(code).toBe(1);
  });
});
