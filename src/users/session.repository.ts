import { writeStatement, type PreparedStatements } from '../db/prepared';
import { SESSIONS_REVOKED_CHANNEL } from '../events/event-bus';
import { USER_COLUMNS, type UserRow } from './user.repository';

// Every statement here runs on the primary (`writeStatement`), reads included: a token handed out a moment
// ago must be found, and a revoked one must not be, which a lagging replica cannot promise.

const INSERT = writeStatement('session.insert', `insert into user_session (id, user_id, expires_at) values ($1, $2, $3)`);
/** The session's user: read on the primary, it lets the operation see a user a replica has not replayed yet. */
const IS_ACTIVE = writeStatement(
  'session.isActive',
  `select ${USER_COLUMNS} from user_session s join "user" u on u.id = s.user_id
   where s.id = $1 and s.user_id = $2 and s.expires_at > now()`,
);
const ACTIVE_AMONG = writeStatement('session.activeAmong', `select id from user_session where id = any($1::uuid[]) and expires_at > now()`);

/** Revocation deletes the rows and, in the same statement, tells every process (NOTIFY is sent on commit). */
const REVOKE = writeStatement(
  'session.revoke',
  `with revoked as (delete from user_session where id = $1 returning user_id)
   select pg_notify('${SESSIONS_REVOKED_CHANNEL}', user_id::text) from revoked`,
);
const REVOKE_ALL = writeStatement(
  'session.revokeAll',
  `with revoked as (delete from user_session where user_id = $1::int returning 1)
   select pg_notify('${SESSIONS_REVOKED_CHANNEL}', $1::int::text) where exists (select from revoked)`,
);
const SWEEP = writeStatement(
  'session.sweep',
  `delete from user_session where id in (select id from user_session where expires_at < now() limit $1) returning 1`,
);

export class SessionRepository {
  constructor(private readonly db: PreparedStatements) {}

  async insert(sessionId: string, userId: number, expiresAt: Date): Promise<void> {
    await this.db.rows(INSERT, [sessionId, userId, expiresAt]);
  }

  /** The session's user while the session may be used, else undefined. */
  activeUser(sessionId: string, userId: number): Promise<UserRow | undefined> {
    return this.db.row<UserRow>(IS_ACTIVE, [sessionId, userId]);
  }

  /** Which of `sessionIds` may still be used. */
  async activeAmong(sessionIds: readonly string[]): Promise<Set<string>> {
    return new Set((await this.db.rows<{ id: string }>(ACTIVE_AMONG, [sessionIds])).map((row) => row.id));
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.rows(REVOKE, [sessionId]);
  }

  async revokeAll(userId: number): Promise<void> {
    await this.db.rows(REVOKE_ALL, [userId]);
  }

  /** Deletes up to `batch` expired sessions (their tokens are refused for their `exp` anyway); returns how many. */
  async sweep(batch: number): Promise<number> {
    return (await this.db.rows(SWEEP, [batch])).length;
  }
}
