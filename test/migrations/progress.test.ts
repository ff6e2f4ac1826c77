import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/orm-config';
import { stepContext, type StepContext } from './support';

const BACKFILL = 'Migration20240102000200_backfill_timeline_requires_approval';
const CHECKS = 'Migration20240102000400_add_timeline_checks';
const INDEXES = 'Migration20240102000500_create_timeline_name_indexes';

const SETTINGS = ['MIGRATION_BATCH_SIZE', 'MIGRATION_PROGRESS', 'MIGRATION_PROGRESS_INTERVAL', 'MIGRATION_LOCK_TIMEOUT', 'MIGRATION_LOCK_RETRIES'];

/** `migration:up` to `to` as an operator runs it (not silent), keeping every line the migrator wrote. */
async function migrateWithProgress(url: string, to: string, env: Record<string, string>): Promise<string[]> {
  Object.assign(process.env, env);
  const lines: string[] = [];
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 2 }, logger: (line) => lines.push(line) }));
  try {
    await orm.getMigrator().up({ to });
  } finally {
    await orm.close(true);
  }
  // eslint-disable-next-line no-control-regex
  return lines.map((line) => line.replace(/\x1b\[\d+m/g, '').replace(/^\[migrator\] /, ''));
}

/** A second session that holds `sql`'s locks in an open transaction until released. */
async function holdLocks(url: string, sql: string): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client(url);
  await client.connect();
  const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
  await client.query('begin');
  await client.query(sql);
  return {
    pid,
    release: async () => {
      await client.query('commit');
      await client.end();
    },
  };
}

describe('migration progress', () => {
  let ctx: StepContext | undefined;
  afterEach(async () => {
    for (const name of SETTINGS) delete process.env[name];
    await ctx?.m.close();
  });

  it('a batched backfill reports rows done of the total, a rate and the time left, and the figures add up', async () => {
    ctx = await stepContext(BACKFILL);
    // Ids with a gap: the total counts rows, not ids.
    await ctx.m.db.query(`insert into timeline (name, requires_approval) select 't' || n, null from generate_series(1, 3000) n`);
    await ctx.m.db.query(`delete from timeline where id % 10 = 0`);
    const lines = await migrateWithProgress(ctx.m.url, BACKFILL, { MIGRATION_BATCH_SIZE: '250', MIGRATION_PROGRESS: 'lines', MIGRATION_PROGRESS_INTERVAL: '0' });

    const progress = lines
      .map((line) => /^backfill timeline\.requires_approval = false: ([\d,]+) \/ ([\d,]+) rows \(([\d.]+)%\), ([\d,]+) rows\/s, (about (\d+) s left|done)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ done: Number(match[1].replace(/,/g, '')), total: Number(match[2].replace(/,/g, '')), percent: Number(match[3]), rate: Number(match[4].replace(/,/g, '')), left: match[5] }));
    // A line per batch of 250 ids (interval 0).
    expect(progress.length).toBe(12);
    expect(new Set(progress.map((line) => line.total))).toEqual(new Set([2700]));
    for (const [i, line] of progress.entries()) {
      expect(line.percent).toBeCloseTo((100 * line.done) / line.total, 1);
      expect(line.rate).toBeGreaterThan(0);
      if (i > 0) expect(line.done - progress[i - 1].done).toBe(225);
    }
    expect(progress.at(-1)).toMatchObject({ done: 2700, left: 'done' });
    expect(progress.slice(0, -1).every((line) => line.left.startsWith('about'))).toBe(true);
    expect(lines.indexOf(`Processing '${BACKFILL}'`)).toBeLessThan(lines.findIndex((line) => line.startsWith('backfill')));
    expect(await ctx.one('select count(*) filter (where requires_approval is null) as nulls from timeline')).toEqual({ nulls: '0' });
  });

  it('an index build reports its phase and names the transaction it waits for', async () => {
    ctx = await stepContext(INDEXES);
    await ctx.m.db.query(`insert into timeline (name, timeline_type, created_by) select 'n' || n, 'hashtag', $1 from generate_series(1, 2000) n`, [ctx.user]);
    const writer = await holdLocks(ctx.m.url, `insert into timeline (name, timeline_type, created_by) values ('held', 'hashtag', ${ctx.user})`);
    const released = new Promise<void>((resolve) => setTimeout(() => resolve(writer.release()), 800));
    const lines = await migrateWithProgress(ctx.m.url, INDEXES, { MIGRATION_PROGRESS: 'lines', MIGRATION_PROGRESS_INTERVAL: '0' });
    await released;

    const build = lines.filter((line) => line.startsWith('build index timeline_public_name_unique: '));
    expect(build.some((line) => line.includes('waiting for writers before build'))).toBe(true);
    const wait = build.find((line) => line.includes(`held by pid ${writer.pid}`));
    expect(wait).toMatch(new RegExp(`waiting for a lock on virtualxid \\(ShareLock\\), held by pid ${writer.pid} \\(idle in transaction for \\d+ s: insert into timeline`));
    expect(await ctx.one(`select indisvalid from pg_index where indexrelid = 'timeline_public_name_unique'::regclass`)).toEqual({ indisvalid: true });
  });

  it('a lock not granted in time says who held it, then retries', async () => {
    ctx = await stepContext(CHECKS);
    const reader = await holdLocks(ctx.m.url, 'select count(*) from timeline');
    const released = new Promise<void>((resolve) => setTimeout(() => resolve(reader.release()), 1500));
    const lines = await migrateWithProgress(ctx.m.url, CHECKS, { MIGRATION_PROGRESS: 'lines', MIGRATION_PROGRESS_INTERVAL: '0', MIGRATION_LOCK_TIMEOUT: '1s' });
    await released;

    const title = 'add the CHECK constraints NOT VALID: ';
    expect(lines.find((line) => line.startsWith(`${title}waiting`))).toMatch(
      new RegExp(`waiting for a lock on timeline \\(AccessExclusiveLock\\), held by pid ${reader.pid} \\(idle in transaction for \\d+ s: select count\\(\\*\\) from timeline\\)$`),
    );
    expect(lines.find((line) => line.startsWith(`${title}lock not granted`))).toMatch(
      new RegExp(`lock not granted within lock_timeout; last seen waiting for a lock on timeline \\(AccessExclusiveLock\\), held by pid ${reader.pid} .*; retry 1 of 10 in 100 ms`),
    );
    expect(await ctx.one(`select count(*) from pg_constraint where conrelid = 'timeline'::regclass and contype = 'c'`)).toEqual({ count: '2' });
  });
});
