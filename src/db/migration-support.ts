import { Configuration } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { QueryResultRow } from 'pg';
import { MigrationWatcher, silentStepProgress, type StepProgress, type StepTask } from './migration-progress';
import { progressReporter, progressSettingsFromEnv } from './progress';

/**
 * The V2 migrations are written as steps that this module runs on one dedicated connection, outside the
 * migrator's transaction (`isTransactional()` is false), so that each step can pick its own transaction
 * boundaries: `CREATE INDEX CONCURRENTLY` refuses to run inside one, a backfill commits batch by batch so it
 * never holds many row locks, and DDL takes its lock with a `lock_timeout` and retries instead of queueing
 * every other query behind a long transaction. The same steps print as SQL for `npm run db:sql`.
 */
export interface Session {
  query<R extends QueryResultRow = any>(sql: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type Step =
  /** A read-only check that refuses (throws) when the database is not fit for what follows. */
  | { kind: 'check'; title: string; run(db: Session): Promise<void> }
  /** Statements in one transaction, under `lock_timeout`, retried whole when a lock is not granted in time. */
  | { kind: 'transaction'; title: string; sql: string[] }
  /** One statement outside any transaction (`DROP INDEX CONCURRENTLY`). */
  | { kind: 'outside'; title: string; sql: string }
  /**
   * A statement run once per range of ids of `keyTable`, each range committed on its own: `$1` is the range's
   * exclusive lower bound, `$2` its inclusive upper bound. Rows added meanwhile are covered: the walk goes on
   * until it reaches the table's current largest id.
   */
  | { kind: 'batches'; title: string; keyTable: string; sql: string }
  /** `CREATE [UNIQUE] INDEX CONCURRENTLY`; an INVALID leftover of an interrupted build is dropped first. */
  | { kind: 'index'; title: string; name: string; sql: string; before?: string };

export const check = (title: string, run: (db: Session) => Promise<void>): Step => ({ kind: 'check', title, run });
export const transaction = (title: string, ...sql: string[]): Step => ({ kind: 'transaction', title, sql });
export const outside = (title: string, sql: string): Step => ({ kind: 'outside', title, sql });
export const batches = (title: string, keyTable: string, sql: string): Step => ({ kind: 'batches', title, keyTable, sql });
/**
 * `before` (optional) runs, in a transaction of its own, before each attempt; a unique violation during the build
 * is then retried a few times (it removes duplicates that writers add while the index builds).
 */
export const concurrentIndex = (name: string, sql: string, before?: string): Step => ({ kind: 'index', title: `build index ${name}`, name, sql, before });

/** Tunable from the environment, read when a migration runs. */
export function migrationSettings() {
  return {
    lockTimeout: process.env.MIGRATION_LOCK_TIMEOUT ?? '5s',
    lockRetries: Number(process.env.MIGRATION_LOCK_RETRIES ?? 10),
    batchSize: Number(process.env.MIGRATION_BATCH_SIZE ?? 5000),
  };
}

export abstract class StepMigration extends Migration {
  abstract upSteps(): Step[];
  abstract downSteps(): Step[];

  /** Evidence that the database is in the state this migration leaves (for `db:stamp`): what is missing, or []. */
  abstract verify(db: Session): Promise<string[]>;

  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    await this.runSteps(this.upSteps());
  }

  override async down(): Promise<void> {
    await this.runSteps(this.downSteps());
  }

  private async runSteps(steps: Step[]): Promise<void> {
    if (steps.length === 0) return;
    const client = (this.getKnex() as unknown as { client: KnexClient }).client;
    const connection = await client.acquireConnection();
    const watcher = await this.watcher(client, connection);
    try {
      await runSteps(connection, steps, this.constructor.name, watcher?.progress);
    } finally {
      await connection.query('reset lock_timeout').catch(() => undefined);
      await client.releaseConnection(connection);
      if (watcher) await client.releaseConnection(watcher.monitor);
    }
  }

  /**
   * Progress goes where the migrator's own lines go (the ORM's logger: the console for `npx mikro-orm`, the
   * JSON log for `npm start`), as a live bar instead when that is the console and stderr is a terminal;
   * nothing with `migrations.silent` or `MIGRATION_PROGRESS=off`. A second connection watches the steps.
   */
  private async watcher(client: KnexClient, connection: Session): Promise<{ progress: StepProgress; monitor: Session } | undefined> {
    const { mode, intervalMs } = progressSettingsFromEnv();
    if (mode === 'off' || this.config.get('migrations').silent) return undefined;
    const consoleLogger = this.config.get('logger') === Configuration.DEFAULTS.logger;
    const logger = this.config.getLogger();
    const reporter = progressReporter({
      mode: mode === 'auto' ? (consoleLogger && process.stderr.isTTY ? 'bar' : 'lines') : mode,
      intervalMs,
      write: (line) => logger.log('migrator', line, { enabled: true }),
    });
    const pid = Number((await connection.query('select pg_backend_pid() as pid')).rows[0].pid);
    const monitor = await client.acquireConnection();
    return { progress: new MigrationWatcher(monitor, pid, reporter, intervalMs), monitor };
  }
}

interface KnexClient {
  acquireConnection(): Promise<Session>;
  releaseConnection(connection: Session): Promise<void>;
}

const LOCK_NOT_AVAILABLE = '55P03';
const UNIQUE_VIOLATION = '23505';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSteps(db: Session, steps: Step[], migration: string, progress: StepProgress = silentStepProgress): Promise<void> {
  const settings = migrationSettings();
  await db.query(`set lock_timeout = '${settings.lockTimeout.replace(/'/g, '')}'`);
  for (const step of steps) {
    const task = progress.begin(step.title, step.kind === 'batches' ? 'rows' : 'statements');
    try {
      await runStep(db, step, settings, task, progress.counting);
    } catch (error) {
      if (error instanceof Error && !error.message.startsWith(migration)) {
        error.message = `${migration}: step "${step.title}" failed: ${error.message}`;
      }
      throw error;
    } finally {
      task.end();
    }
  }
}

async function runStep(db: Session, step: Step, settings: ReturnType<typeof migrationSettings>, task: StepTask, counting: boolean): Promise<void> {
  switch (step.kind) {
    case 'check':
      return step.run(db);
    case 'transaction':
      return withLockRetries(settings.lockRetries, task, () =>
        task.watch(async () => {
          await db.query('begin');
          try {
            for (const sql of step.sql) await db.query(sql);
            await db.query('commit');
          } catch (error) {
            await db.query('rollback');
            throw error;
          }
        }),
      );
    case 'outside':
      return withLockRetries(settings.lockRetries, task, () => task.watch(() => db.query(step.sql).then(() => undefined)));
    case 'batches':
      return runBatches(db, step, settings, task, counting);
    case 'index':
      return buildIndex(db, step, settings.lockRetries, task);
  }
}

async function withLockRetries<T>(retries: number, task: StepTask, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= retries) throw error;
      const delay = Math.min(100 * 2 ** attempt, 3000);
      task.retrying(attempt, retries, delay);
      await sleep(delay);
    }
  }
}

/**
 * With progress on, each batch also counts the key table's rows in its range (an index-only scan of the
 * primary key), so that "rows done" and "total" are rows, not ids; rows added meanwhile join the total.
 */
async function runBatches(db: Session, step: Extract<Step, { kind: 'batches' }>, settings: ReturnType<typeof migrationSettings>, task: StepTask, counting: boolean) {
  const maxId = async () => Number((await db.query(`select coalesce(max(id), 0) as max from ${step.keyTable}`)).rows[0].max);
  const rowsIn = async (above: number, upTo: number) =>
    counting ? Number((await db.query(`select count(*) as n from ${step.keyTable} where id > $1 and id <= $2`, [above, upTo])).rows[0].n) : 0;
  let from = Number((await db.query(`select coalesce(min(id), 1) - 1 as min from ${step.keyTable}`)).rows[0].min);
  let done = 0;
  let total = 0;
  for (let max = await maxId(), counted = from; from < max; max = await maxId()) {
    total += await rowsIn(counted, max);
    counted = max;
    while (from < max) {
      const to = Math.min(from + settings.batchSize, max);
      await withLockRetries(settings.lockRetries, task, () => task.watch(() => db.query(step.sql, [from, to])));
      done += await rowsIn(from, to);
      from = to;
      task.update({ done, total });
    }
  }
}

/** `indisvalid` of the index `name` in the current schema: true, false, or null when there is none. */
export async function indexValidity(db: Session, name: string): Promise<boolean | null> {
  const { rows } = await db.query<{ valid: boolean }>(
    `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
     where c.relname = $1 and c.relnamespace = current_schema()::text::regnamespace`,
    [name],
  );
  return rows.length === 0 ? null : rows[0].valid;
}

async function buildIndex(db: Session, step: Extract<Step, { kind: 'index' }>, retries: number, task: StepTask): Promise<void> {
  const watched = (sql: string) => () => task.watch(() => db.query(sql));
  for (let attempt = 0; ; attempt++) {
    const validity = await indexValidity(db, step.name);
    if (validity === true) return;
    if (validity === false) await withLockRetries(retries, task, watched(`drop index concurrently if exists "${step.name}"`));
    if (step.before) await withLockRetries(retries, task, watched(step.before));
    try {
      await watched(step.sql)();
    } catch (error) {
      // A failed concurrent build leaves an INVALID index behind; never leave it for the next run to trust.
      await withLockRetries(retries, task, watched(`drop index concurrently if exists "${step.name}"`));
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE && attempt < retries) {
        const delay = Math.min(100 * 2 ** attempt, 3000);
        task.retrying(attempt, retries, delay);
        await sleep(delay);
        continue;
      }
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && step.before && attempt < 3) continue;
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        (error as Error).message += ' (rows that break the new unique rule exist: run `npm run db:audit` and `npm run db:dedupe`)';
      }
      throw error;
    }
    if ((await indexValidity(db, step.name)) !== true) throw new Error(`index ${step.name} is not valid after its build`);
    return;
  }
}

/** The SQL a run of `steps` executes, in order, for `npm run db:sql`; it touches no database. */
export function describeSteps(steps: Step[]): string {
  const { lockTimeout, batchSize } = migrationSettings();
  const out: string[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'check':
        out.push(`-- check (read-only, refuses when it fails): ${step.title}`);
        break;
      case 'transaction':
        out.push(`-- ${step.title}`, 'begin;', `set local lock_timeout = '${lockTimeout}';`, ...step.sql.map(terminate), 'commit;');
        break;
      case 'outside':
        out.push(`-- ${step.title} (OUTSIDE a transaction)`, terminate(step.sql));
        break;
      case 'batches':
        out.push(
          `-- ${step.title} (OUTSIDE a transaction: once per range of ${batchSize} ids of ${step.keyTable}, $1 < id <= $2, each committed on its own)`,
          terminate(step.sql),
        );
        break;
      case 'index':
        out.push(`-- ${step.title} (OUTSIDE a transaction; an INVALID leftover "${step.name}" is dropped first, validity checked after)`);
        if (step.before) out.push(terminate(step.before));
        out.push(terminate(step.sql));
        break;
    }
  }
  return out.join('\n');
}

function terminate(sql: string): string {
  const trimmed = sql.trim();
  return trimmed.endsWith(';') ? trimmed : `${trimmed};`;
}

/** Helpers for `verify`. */
export async function columnInfo(db: Session, table: string, column: string): Promise<{ nullable: boolean; type: string } | null> {
  const { rows } = await db.query<{ is_nullable: string; data_type: string }>(
    `select is_nullable, data_type from information_schema.columns
     where table_schema = current_schema() and table_name = $1 and column_name = $2`,
    [table, column],
  );
  return rows.length === 0 ? null : { nullable: rows[0].is_nullable === 'YES', type: rows[0].data_type };
}

export async function constraintInfo(db: Session, name: string): Promise<{ validated: boolean; type: string } | null> {
  const { rows } = await db.query<{ convalidated: boolean; contype: string }>(
    `select convalidated, contype from pg_constraint where conname = $1 and connamespace = current_schema()::text::regnamespace`,
    [name],
  );
  return rows.length === 0 ? null : { validated: rows[0].convalidated, type: rows[0].contype };
}

export async function exists(db: Session, sql: string): Promise<boolean> {
  return (await db.query(`select exists (${sql}) as found`)).rows[0].found as boolean;
}

/**
 * `SET NOT NULL` without scanning the table under an ACCESS EXCLUSIVE lock: a CHECK added NOT VALID (instant),
 * validated in its own transaction (a SHARE UPDATE EXCLUSIVE lock: writes go on), after which PostgreSQL 12+
 * trusts it and skips the scan; the helper CHECK is dropped in the same transaction.
 */
export function setNotNull(table: string, column: string): Step[] {
  const helper = `${table}_${column}_not_null`;
  return [
    transaction(`add CHECK ${helper} NOT VALID`, `alter table ${table} drop constraint if exists ${helper}`, `alter table ${table} add constraint ${helper} check (${column} is not null) not valid`),
    transaction(`validate CHECK ${helper}`, `alter table ${table} validate constraint ${helper}`),
    transaction(`set ${table}.${column} NOT NULL`, `alter table ${table} alter column ${column} set not null`, `alter table ${table} drop constraint ${helper}`),
  ];
}
