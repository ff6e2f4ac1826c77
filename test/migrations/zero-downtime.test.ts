import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { before, FIRST, MIGRATIONS, migrationDb, snapshot, type MigrationDb } from './support';

const INDEXES = 'Migration20240102000500_create_timeline_name_indexes';
const CHECKS = 'Migration20240102000400_add_timeline_checks';

async function seedClean(db: pg.Client, timelines = 200): Promise<number> {
  const user = (await db.query(`insert into "user" (username) values ('writer') returning id`)).rows[0].id;
  await db.query(
    `insert into timeline (name, timeline_type, created_by) select 'seed ' || n, (array['hashtag', 'community', 'personal'])[1 + n % 3], $1
     from generate_series(1, $2) n`,
    [user, timelines],
  );
  await db.query(`insert into event (title, event_date, timeline_id, created_by) select 'e' || id, now(), id, $1 from timeline`, [user]);
  return user;
}

describe('zero downtime', () => {
  let m: MigrationDb | undefined;
  afterEach(async () => {
    delete process.env.MIGRATION_BATCH_SIZE;
    delete process.env.MIGRATION_LOCK_TIMEOUT;
    delete process.env.MIGRATION_LOCK_RETRIES;
    await m?.close();
  });

  it('runs the whole chain while another connection keeps writing and reading timelines, all of it succeeding', async () => {
    m = await migrationDb();
    await m.up(FIRST);
    const user = await seedClean(m.db);
    process.env.MIGRATION_BATCH_SIZE = '25';
    const writer = new pg.Client(m.url);
    await writer.connect();
    const errors: unknown[] = [];
    let writes = 0;
    let running = true;
    const loop = (async () => {
      for (let n = 0; running; n++) {
        try {
          const { rows } = await writer.query(`insert into timeline (name, timeline_type, created_by) values ($1, 'hashtag', $2) returning id`, [`written ${n}`, user]);
          await writer.query(`insert into event (title, event_date, timeline_id, created_by) values ('w', now(), $1, $2)`, [rows[0].id, user]);
          const read = await writer.query('select name from timeline where id = $1', [rows[0].id]);
          if (read.rows[0]?.name !== `written ${n}`) throw new Error(`read back ${JSON.stringify(read.rows)}`);
          writes++;
        } catch (error) {
          errors.push(error);
        }
      }
    })();
    try {
      expect(await m.up()).toEqual(MIGRATIONS.slice(1));
    } finally {
      running = false;
      await loop;
      await writer.end();
    }
    expect(errors).toEqual([]);
    expect(writes).toBeGreaterThan(0);
    const { rows } = await m.db.query(`select count(*) filter (where requires_approval is null) as nulls, count(*) as total from timeline`);
    expect(rows[0]).toMatchObject({ nulls: '0', total: String(200 + writes) });
  });

  it('drops and rebuilds an INVALID index left by an interrupted concurrent build', async () => {
    m = await migrationDb();
    await m.up(before(INDEXES));
    await m.db.query(`insert into timeline (name, timeline_type) values ('dup', 'hashtag'), ('DUP', 'hashtag')`);
    await expect(
      m.db.query(`create unique index concurrently timeline_public_name_unique on timeline (upper(name collate "und-x-icu"), timeline_type)`),
    ).rejects.toThrow(/could not create unique index/);
    const validity = `select indisvalid from pg_index where indexrelid = 'timeline_public_name_unique'::regclass`;
    expect((await m.db.query(validity)).rows[0].indisvalid).toBe(false);
    await m.db.query(`delete from timeline where name = 'DUP'`);
    await m.up(INDEXES);
    expect((await m.db.query(validity)).rows[0].indisvalid).toBe(true);
    const { rows } = await m.db.query(`select indexdef from pg_indexes where indexname = 'timeline_public_name_unique'`);
    expect(rows[0].indexdef).toContain('WHERE ((timeline_type)::text = ANY');
  });

  it('gives up on a lock held by a long transaction instead of queueing behind it, and succeeds once it ends', async () => {
    m = await migrationDb();
    await m.up(before(CHECKS));
    const blocker = new pg.Client(m.url);
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select count(*) from timeline');
    process.env.MIGRATION_LOCK_TIMEOUT = '50ms';
    process.env.MIGRATION_LOCK_RETRIES = '1';
    try {
      const unchanged = await snapshot(m.db);
      await expect(m.up(CHECKS)).rejects.toThrow(/lock timeout/i);
      expect(await snapshot(m.db)).toBe(unchanged);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    expect(await m.up(CHECKS)).toEqual([CHECKS]);
  });
});
