import type { Session } from './migration-support';
import { formatSeconds, silentProgress, type ProgressReporter, type ProgressTask, type ProgressUpdate } from './progress';

/**
 * What a migration step reports while it runs. A second connection watches the migration's backend: a
 * `CREATE INDEX CONCURRENTLY` reports its phase and figures from `pg_stat_progress_create_index`, and a
 * statement waiting for a lock says on what and behind whom (`pg_locks`, `pg_blocking_pids`,
 * `pg_stat_activity`: the blocker's pid, state, age and statement).
 */
export interface StepProgress {
  /** False when nothing is reported: a backfill then skips counting its rows. */
  readonly counting: boolean;
  begin(title: string, unit: string): StepTask;
}

export interface StepTask extends ProgressTask {
  /** Runs `work` on the migration's connection while the watcher polls it. */
  watch<T>(work: () => Promise<T>): Promise<T>;
  /** A lock was not granted in time; another attempt follows after `delayMs`. */
  retrying(attempt: number, retries: number, delayMs: number): void;
}

export const silentStepProgress: StepProgress = {
  counting: false,
  begin: () => ({ ...silentProgress.begin('', ''), watch: (work) => work(), retrying: () => undefined }),
};

/** What the watcher sees of the migration's backend. */
export interface BackendState {
  /** The lock it waits for (`timeline (AccessExclusiveLock)`), when it waits for one. */
  lock: string | null;
  phase: string | null;
  blocksDone: number;
  blocksTotal: number;
  tuplesDone: number;
  tuplesTotal: number;
  lockersDone: number;
  lockersTotal: number;
  blockerPid: number | null;
  blockerState: string | null;
  blockerQuery: string | null;
  /** Seconds since the blocker's transaction (else its statement) began. */
  blockerSeconds: number | null;
}

/**
 * One row about backend `$1`. The blocker is whoever `pg_blocking_pids` names (a heavyweight lock), else
 * the transaction an index build waits out (`current_locker_pid`); the oldest first.
 */
const BACKEND_STATE = `
  select (select coalesce(l.relation::regclass::text, l.locktype) || ' (' || l.mode || ')'
            from pg_locks l where l.pid = a.pid and not l.granted limit 1) as lock,
         p.phase, coalesce(p.blocks_done, 0)::float8 as "blocksDone", coalesce(p.blocks_total, 0)::float8 as "blocksTotal",
         coalesce(p.tuples_done, 0)::float8 as "tuplesDone", coalesce(p.tuples_total, 0)::float8 as "tuplesTotal",
         coalesce(p.lockers_done, 0)::float8 as "lockersDone", coalesce(p.lockers_total, 0)::float8 as "lockersTotal",
         b.pid as "blockerPid", b.state as "blockerState", left(regexp_replace(b.query, '\\s+', ' ', 'g'), 160) as "blockerQuery",
         extract(epoch from now() - coalesce(b.xact_start, b.query_start))::float8 as "blockerSeconds"
  from pg_stat_activity a
  left join pg_stat_progress_create_index p on p.pid = a.pid
  left join lateral (
    select b.pid, b.state, b.query, b.xact_start, b.query_start from pg_stat_activity b
    where b.pid = any(pg_blocking_pids(a.pid)) or b.pid = nullif(p.current_locker_pid, 0)
    order by coalesce(b.xact_start, b.query_start) limit 1) b on true
  where a.pid = $1`;

/** What an operator reads about a wait: `waiting for a lock on timeline (ShareLock), held by pid 42 (idle in transaction for 73 s: update …)`. */
export function describeWait(state: BackendState): string | undefined {
  if (state.blockerPid === null && state.lock === null) return undefined;
  const what = state.lock ? `a lock on ${state.lock}` : 'a transaction to end';
  if (state.blockerPid === null) return `waiting for ${what}`;
  const age = state.blockerSeconds === null ? '' : ` for ${formatSeconds(state.blockerSeconds)}`;
  const query = state.blockerQuery ? `: ${state.blockerQuery}` : '';
  return `waiting for ${what}, held by pid ${state.blockerPid} (${state.blockerState ?? 'unknown state'}${age}${query})`;
}

/** An index build's figures for its current phase: blocks while it scans, tuples while it sorts or loads, else lockers. */
export function indexUpdate(state: BackendState): ProgressUpdate | undefined {
  if (!state.phase) return undefined;
  if (state.blocksTotal > 0) return { phase: state.phase, done: state.blocksDone, total: state.blocksTotal, unit: 'blocks' };
  if (state.tuplesTotal > 0) return { phase: state.phase, done: state.tuplesDone, total: state.tuplesTotal, unit: 'tuples' };
  return { phase: state.phase, done: state.lockersDone, total: state.lockersTotal, unit: 'transactions', timed: false };
}

export class MigrationWatcher implements StepProgress {
  readonly counting = true;
  private readonly pollMs: number;

  constructor(
    private readonly monitor: Session,
    /** `pg_backend_pid()` of the migration's connection. */
    private readonly pid: number,
    private readonly reporter: ProgressReporter,
    intervalMs: number,
  ) {
    this.pollMs = Math.min(Math.max(intervalMs / 2, 100), 1000);
  }

  begin(title: string, unit: string): StepTask {
    const task = this.reporter.begin(title, unit);
    /** The wait last reported, and on what and whom: the same wait is not reported again at every poll. */
    let lastWait: string | undefined;
    let lastWaitKey: string | undefined;
    return {
      update: (update) => task.update(update),
      note: (message) => task.note(message),
      end: () => task.end(),
      watch: (work) =>
        this.watching(work, (state) => {
          const update = indexUpdate(state);
          if (update) task.update(update);
          const wait = describeWait(state);
          const key = wait && `${state.lock} ${state.blockerPid}`;
          if (wait && key !== lastWaitKey) task.note(wait);
          if (wait) lastWait = wait;
          lastWaitKey = key;
        }),
      retrying: (attempt, retries, delayMs) => {
        const behind = lastWait ? `; last seen ${lastWait}` : '';
        task.note(`lock not granted within lock_timeout${behind}; retry ${attempt + 1} of ${retries} in ${delayMs} ms`);
        lastWait = undefined;
        lastWaitKey = undefined;
      },
    };
  }

  /** Polls the backend every `pollMs` until `work` settles, one query at a time. */
  private async watching<T>(work: () => Promise<T>, seen: (state: BackendState) => void): Promise<T> {
    let running = true;
    let timer: NodeJS.Timeout | undefined;
    let polling: Promise<void> = Promise.resolve();
    const poll = () => {
      polling = this.monitor
        .query<BackendState>(BACKEND_STATE, [this.pid])
        .then(({ rows }) => {
          if (running && rows[0]) seen(rows[0]);
        })
        // The watcher only informs: a failed look must never fail the migration.
        .catch(() => undefined)
        .then(() => {
          if (running) timer = setTimeout(poll, this.pollMs);
        });
    };
    timer = setTimeout(poll, this.pollMs);
    try {
      return await work();
    } finally {
      running = false;
      clearTimeout(timer);
      await polling;
    }
  }
}
