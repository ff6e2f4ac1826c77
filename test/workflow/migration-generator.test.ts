import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StepMigrationGenerator } from '../../src/db/migration-generator';
import { createTestDatabase } from '../support/database';
import { scratchProject } from '../support/scratch-project';

const ENTITY = join('src', 'timelines', 'timeline.entity.ts');

describe('npx mikro-orm migration:create', () => {
  const scratch = scratchProject();
  afterAll(() => scratch.remove());

  it('writes a migration on the step framework that applies to a migrated, populated database and goes back down', async () => {
    const url = await createTestDatabase();
    const db = new pg.Client(url);
    await db.connect();
    try {
      const { rows } = await db.query(`insert into "user" (username) values ('gen') returning id`);
      await db.query(`insert into timeline (name, timeline_type, created_by) values ('Existing', 'hashtag', $1)`, [rows[0].id]);

      // A developer adds three properties to Timeline: a nullable text, an indexed NOT NULL with a default, a reference.
      const entity = join(scratch.root, ENTITY);
      const source = readFileSync(entity, 'utf8');
      const anchor = "  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })\n  createdAt";
      expect(source).toContain(anchor);
      writeFileSync(
        entity,
        source.replace(
          anchor,
          `  @Property({ type: 'text', nullable: true })
  color?: string | null;

  @Property({ type: 'integer', default: 0 })
  @Index({ name: 'timeline_rank_idx' })
  rank: number = 0;

  @ManyToOne(() => User, { fieldName: 'archived_by', nullable: true, ref: true })
  archivedBy?: Ref<User> | null;

${anchor}`,
        ),
      );

      const created = await scratch.run('npx', ['mikro-orm', 'migration:create', '--name', 'add_timeline_color'], url);
      expect(created.output).toMatch(/Migration\d{14}_add_timeline_color\.ts successfully created/);
      expect(created.code).toBe(0);
      const file = readdirSync(join(scratch.root, 'migrations')).find((name) => name.endsWith('_add_timeline_color.ts'))!;
      const code = readFileSync(join(scratch.root, 'migrations', file), 'utf8');

      // The step framework, not a bare Migration: lock_timeout and retries come with every step.
      expect(code).toContain("from '../src/db/migration-support';");
      expect(code).toMatch(/export class Migration\d{14}_add_timeline_color extends StepMigration \{/);
      expect(code).not.toContain('addSql');
      expect(code).toContain('Before committing:');
      expect(code).toContain('`npm run db:sql` reads as intended and `npm run db:lint` finds nothing.');
      expect(code).toContain('add column if not exists "color" text null');
      expect(code).toContain(`concurrentIndex('timeline_rank_idx', \`create index concurrently "timeline_rank_idx" on "timeline" ("rank")\`)`);
      expect(code).toMatch(/add constraint "timeline_archived_by_foreign" foreign key .* not valid`/);
      expect(code).toContain('validate constraint "timeline_archived_by_foreign"');
      expect(code).toContain(`drop index concurrently if exists "timeline_rank_idx"`);
      expect(code).toMatch(/- down: `alter table "timeline" drop column .*`: drops a column/);

      const sql = await scratch.run('npm', ['run', '-s', 'db:sql'], url);
      expect(sql.output).toContain(`set lock_timeout = '5s';`);
      expect(sql.output).toContain('(OUTSIDE a transaction; an INVALID leftover "timeline_rank_idx" is dropped first');

      const up = await scratch.run('npx', ['mikro-orm', 'migration:up'], url);
      expect(up.output).toContain('Successfully migrated up');
      expect(up.code).toBe(0);
      const index = await db.query(`select indexdef from pg_indexes where indexname = 'timeline_rank_idx'`);
      expect(index.rows[0].indexdef).toBe('CREATE INDEX timeline_rank_idx ON public.timeline USING btree (rank)');
      const existing = await db.query(`select color, rank, archived_by from timeline where name = 'Existing'`);
      expect(existing.rows).toEqual([{ color: null, rank: 0, archived_by: null }]);
      const fk = await db.query(`select convalidated from pg_constraint where conname = 'timeline_archived_by_foreign'`);
      expect(fk.rows).toEqual([{ convalidated: true }]);

      // The entities and the database agree, and the migration's verify() finds the state it leaves.
      const check = await scratch.run('npx', ['mikro-orm', 'migration:check'], url);
      expect(check.output).toContain('No changes required');
      const stamp = await scratch.run('npm', ['run', '-s', 'db:stamp', '--', 'head'], url);
      expect(stamp.output).toContain('Nothing to stamp');

      const down = await scratch.run('npx', ['mikro-orm', 'migration:down'], url);
      expect(down.code).toBe(0);
      const columns = await db.query(`select column_name from information_schema.columns where table_name = 'timeline' and column_name in ('color', 'rank', 'archived_by')`);
      expect(columns.rows).toEqual([]);
    } finally {
      await db.end();
    }
  }, 180_000);
});

describe('StepMigrationGenerator', () => {
  const generate = (up: string[], down: string[] = []) =>
    new StepMigrationGenerator(undefined as never, undefined as never, {} as never).generateMigrationFile('Migration20990101000000_x', { up, down });

  it('turns SET NOT NULL into the validated-CHECK steps and flags what it cannot make safe', () => {
    const code = generate([
      'alter table "event" alter column "title" set not null;',
      'alter table "event" alter column "type" type varchar(80) using ("type"::varchar(80));',
      'alter table "event" rename column "url" to "link";',
    ]);
    expect(code).toContain(`...setNotNull('event', 'title'),`);
    expect(code).toMatch(/- up: `alter table "event" alter column "type" type .*`: changes a column type/);
    expect(code).toMatch(/- up: `alter table "event" rename column .*`: renames/);
    expect(code).toContain('import { setNotNull, StepMigration, transaction, type Session, type Step }');
  });

  it('writes an empty migration for --blank, still on the framework', () => {
    const code = generate([]);
    expect(code).toContain('upSteps(): Step[] {\n    return [];');
    expect(code).toContain('async verify(_db: Session): Promise<string[]> {\n    return [];');
    expect(code).not.toContain('could not make safe');
  });
});
