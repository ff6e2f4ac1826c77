/**
 * Findings of squawk (`npm run db:lint`) that this project accepts, each with its reason. An excuse names its rule
 * and where it applies: some migrations, or statements whose line matches a pattern (or the whole chain when it says
 * neither). Anything squawk finds that no excuse covers fails the lint. Prefer fixing a new migration over adding
 * an excuse for it.
 */
export interface LintExcuse {
  rule: string;
  /** Only in these migrations. */
  migrations?: string[];
  /** Only for statements whose first line matches. */
  statement?: RegExp;
  reason: string;
}

const V1_SCHEMA = 'Migration20240101000000_legacy_v1_schema';

export const LINT_EXCUSES: LintExcuse[] = [
  {
    rule: 'require-statement-timeout',
    reason:
      'Steps wait for locks under lock_timeout (with retries), which is what keeps them from blocking traffic; their own ' +
      'work (a backfill batch, a concurrent index build on a large table) may rightly take long, and a statement_timeout ' +
      'would fail it half-way.',
  },
  {
    rule: 'prefer-robust-stmts',
    statement: /^create (unique )?index concurrently /i,
    reason:
      'The step framework builds these (`concurrentIndex`): it skips an index that exists and is valid, drops an INVALID ' +
      'leftover of an interrupted build and builds again; IF NOT EXISTS would keep the INVALID one.',
  },
  {
    rule: 'require-lock-timeout',
    migrations: [V1_SCHEMA],
    reason:
      "The legacy schema's tables are created in an empty database, where no one holds a lock; an existing V1 database " +
      'is stamped at this migration (`npm run db:stamp`), not migrated by it.',
  },
  ...['prefer-bigint-over-int', 'prefer-identity', 'prefer-text-field', 'prefer-timestamp-tz'].map((rule) => ({
    rule,
    migrations: [V1_SCHEMA],
    reason: "The V1 schema exactly as the Flask application created it (SPEC section 7): databases are adopted as they are.",
  })),
  {
    rule: 'prefer-bigint-over-int',
    migrations: [
      'Migration20260301000100_create_timeline_member',
      'Migration20260301000300_create_timeline_viewer',
      'Migration20261203000100_event_timeline_refs_listing_kind',
      'Migration20261203000200_create_user_session',
    ],
    reason: 'Foreign keys to the int (serial) ids of timeline and "user": a reference has the type of the key it references.',
  },
  {
    rule: 'prefer-bigint-over-int',
    migrations: ['Migration20261203000210_create_auth_throttle'],
    reason: "Attempt and lockout counters of one key in one window: bounded by the throttle's limits, far below 2^31.",
  },
  {
    rule: 'prefer-bigint-over-int',
    migrations: ['Migration20261203000300_create_event_day_count'],
    reason:
      'Per-day counts keyed by int (serial) timeline ids; a count is at most the listings of one timeline-day, and the ' +
      "backfill's mark holds an int event id.",
  },
  {
    rule: 'prefer-bigint-over-smallint',
    migrations: ['Migration20261203000300_create_event_day_count'],
    reason: 'A shard of a per-day count is 0 to 63 (`pg_backend_pid() % 64`).',
  },
  {
    rule: 'ban-drop-table',
    migrations: ['Migration20261203000300_create_event_day_count'],
    statement: /^drop table if exists event_day_count_backfill\b/i,
    reason: "The backfill's own one-row mark, created by the same migration and read by no client, dropped once the backfill is done.",
  },
  {
    rule: 'prefer-text-field',
    migrations: ['Migration20261203000100_event_timeline_refs_listing_kind', 'Migration20261203000210_create_auth_throttle'],
    reason:
      "A listing's kind is one of three words (with a CHECK), a throttle key a hex SHA-256 digest with a short prefix: " +
      'their lengths are fixed by the code that writes them, and the tables are new or the column added empty.',
  },
  {
    rule: 'prefer-timestamp-tz',
    migrations: [
      'Migration20240102001100_add_event_timeline_refs_event_date',
      'Migration20260301000100_create_timeline_member',
      'Migration20260301000300_create_timeline_viewer',
    ],
    reason:
      'Every date column of the legacy schema is `timestamp` holding UTC (the ORM forces UTC, connections set TimeZone=UTC); ' +
      "new ones follow, and event_timeline_refs.event_date copies event.event_date, whose type it must keep for the listing index's order.",
  },
  {
    rule: 'prefer-text-field',
    migrations: [
      'Migration20240102000900_add_event_v2_columns',
      'Migration20260301000100_create_timeline_member',
    ],
    reason:
      "The length is the API's rule, kept by the database too: url and media_url at most 500 characters (SPEC), a " +
      "membership's role and state one of a few words (with a CHECK). Widening a varchar later needs no table rewrite.",
  },
  {
    rule: 'ban-drop-not-null',
    migrations: ['Migration20240102000900_add_event_v2_columns'],
    reason: 'V2 allows events without a home timeline (SPEC); V1 writers keep sending timeline_id, which stays valid.',
  },
];
