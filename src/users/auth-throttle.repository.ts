import type { ThrottleRule } from '../config';
import { writeStatement, type PreparedStatements } from '../db/prepared';

/**
 * Takes one attempt for a key, race-free: one upsert, which holds the key's row lock while it decides, so
 * however many processes try the same key at once, at most `limit` attempts per window get through.
 * - Locked (`blocked_until` ahead): nothing changes; refused.
 * - Else the attempt counts in the current window (a new one once it has ended). The attempt past `limit`
 *   locks the key until `window_ends + window × (2^lockouts − 1)` (the first lockout: until the window ends;
 *   then 2, 4, 8... windows from the window's start), at most `$4` seconds from now.
 * - A key quiet for `$4` seconds (its last window and lock long over) starts again from no lockouts.
 * Returns the seconds until the key may try again: 0 when this attempt may go ahead.
 * `$1` key, `$2` limit (at least 1), `$3` window in seconds, `$4` the longest lock in seconds.
 */
const TAKE = writeStatement(
  'authThrottle.take',
  `insert into auth_throttle as t (key, hits, window_ends, lockouts)
   values ($1, 1, now() + $3::int * interval '1 second', 0)
   on conflict (key) do update set (hits, window_ends, lockouts, blocked_until) = (
     select case when s.locked then t.hits else s.hits end,
            case when s.locked then t.window_ends else s.window_ends end,
            case when s.locked then t.lockouts when s.hits > $2::int then s.lockouts + 1 else s.lockouts end,
            case when s.locked then t.blocked_until
                 when s.hits > $2::int then least(now() + $4::int * interval '1 second',
                                                 s.window_ends + (2 ^ least(s.lockouts, 20) - 1) * $3::int * interval '1 second') end
     from (select coalesce(t.blocked_until > now(), false) as locked,
                  case when t.window_ends <= now() then 1 else t.hits + 1 end as hits,
                  case when t.window_ends <= now() then now() + $3::int * interval '1 second' else t.window_ends end as window_ends,
                  case when greatest(t.window_ends, t.blocked_until) <= now() - $4::int * interval '1 second' then 0
                       else t.lockouts end as lockouts) s)
   returning ceil(greatest(0, extract(epoch from t.blocked_until - now())))::int as "retryAfter"`,
);

/** Gives back an attempt that turned out not to count (the call was refused by another key, or succeeded). */
const GIVE_BACK = writeStatement('authThrottle.giveBack', `update auth_throttle set hits = greatest(hits - 1, 0) where key = any($1::varchar[])`);

/** A successful sign-in: the username's failures and lockouts are forgotten, the address gets its attempt back. */
const SUCCEEDED = writeStatement(
  'authThrottle.succeeded',
  `with forgotten as (delete from auth_throttle where key = $1)
   update auth_throttle set hits = greatest(hits - 1, 0) where key = any($2::varchar[])`,
);

/** Rows whose window and lock ended more than `$1` seconds ago: they would start from nothing anyway. */
const SWEEP = writeStatement(
  'authThrottle.sweep',
  `delete from auth_throttle where key in (
     select key from auth_throttle where greatest(window_ends, blocked_until) < now() - $1::int * interval '1 second' limit $2)
   returning 1`,
);

export class AuthThrottleRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** Seconds to wait before `key` may try again; 0: this attempt counts and may go ahead. */
  async take(key: string, rule: ThrottleRule, maxLockSeconds: number): Promise<number> {
    const row = await this.db.row<{ retryAfter: number }>(TAKE, [key, rule.limit, rule.windowSeconds, maxLockSeconds]);
    return row!.retryAfter;
  }

  async giveBack(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.db.rows(GIVE_BACK, [keys]);
  }

  async succeeded(forget: string, giveBack: readonly string[]): Promise<void> {
    await this.db.rows(SUCCEEDED, [forget, giveBack]);
  }

  /** Deletes up to `batch` stale rows; returns how many. */
  async sweep(quietSeconds: number, batch: number): Promise<number> {
    return (await this.db.rows(SWEEP, [quietSeconds, batch])).length;
  }
}
