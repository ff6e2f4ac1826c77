import type { MikroORM } from '@mikro-orm/postgresql';
import { badCredentials } from '../common/errors';
import { PreparedStatements } from '../db/prepared';
import { StatementCounter } from '../db/statement-counter';
import type { EventBus, SessionsWatcher } from '../events/event-bus';
import { SessionRepository } from './session.repository';
import type { Credentials } from './tokens';
import type { UserRow } from './user.repository';

/** graphql-ws close code for a connection whose token was revoked (sign-out, password change): sign in again. */
export const REVOKED_CLOSE_CODE = 4401;

/** An open WebSocket connection, closed when its session is revoked. */
export interface SessionConnection {
  userId: number;
  sessionId: string;
  close(code: number, reason: string): void;
}

/**
 * Whether a token's session still exists, for every request, without a statement per request: a session
 * seen to exist is remembered (up to `capacity`) until a revocation of its user's sessions is announced on
 * the event bus (`itimeline_sessions_revoked`, sent on commit by the statement that revokes), which every
 * process hears within milliseconds. While the bus is not listening (lost connection, or no bus) nothing is
 * remembered, so every request asks the database: missed notifications cannot leave a revoked token usable.
 * Open WebSocket connections of a revoked session are closed with `REVOKED_CLOSE_CODE`.
 */
export class SessionGuard implements SessionsWatcher {
  /** Session id → its user, seen to exist while the bus was listening. */
  private readonly active = new Map<string, number>();
  private readonly connections = new Map<number, Set<SessionConnection>>();
  /** Bumped by every revocation: a check that began before one must not remember what it read. */
  private generation = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: EventBus | undefined,
    private readonly logError: (error: unknown) => void = () => undefined,
    private readonly capacity = 100_000,
  ) {
    bus?.watchSessions(this);
  }

  /**
   * UNAUTHENTICATED (HTTP 401) unless the credentials' session still exists; `db` is the operation's. When it
   * had to ask the primary, returns the session's user as read there (the operation primes its loader with it,
   * so a user a replica has not replayed yet still sees itself); undefined when the session was remembered.
   */
  async assertActive({ sessionId, userId }: Credentials, db: PreparedStatements): Promise<UserRow | undefined> {
    if (this.active.get(sessionId) === userId) return undefined;
    const generation = this.generation;
    const user = await new SessionRepository(db).activeUser(sessionId, userId);
    if (!user) throw badCredentials('The token has been revoked or has expired; sign in again');
    if (generation === this.generation) this.remember(sessionId, userId);
    return user;
  }

  /** A session this process just created (its row is committed): its first request costs no statement. */
  remember(sessionId: string, userId: number): void {
    if (!this.bus?.listening) return;
    if (this.active.size >= this.capacity) this.active.clear();
    this.active.set(sessionId, userId);
  }

  /** Closes `connection` when its session is revoked, until the returned function is called. */
  track(connection: SessionConnection): () => void {
    const own = this.connections.get(connection.userId) ?? new Set();
    this.connections.set(connection.userId, own.add(connection));
    return () => {
      own.delete(connection);
      if (own.size === 0 && this.connections.get(connection.userId) === own) this.connections.delete(connection.userId);
    };
  }

  /** The user's sessions changed (here or on another process): forget them, re-check the user's open connections. */
  sessionsRevoked(userId: number): void {
    this.generation++;
    for (const [sessionId, owner] of this.active) if (owner === userId) this.active.delete(sessionId);
    void this.recheck([...(this.connections.get(userId) ?? [])]);
  }

  /** Lost: notifications may be missed, so nothing cached holds. Back: whatever was missed is re-checked. */
  listeningChanged(listening: boolean): Promise<void> | void {
    this.generation++;
    this.active.clear();
    if (listening) return this.recheck([...this.connections.values()].flatMap((own) => [...own]));
  }

  private async recheck(connections: SessionConnection[]): Promise<void> {
    if (connections.length === 0) return;
    try {
      const db = new PreparedStatements(this.orm.em.fork(), new StatementCounter());
      const active = await new SessionRepository(db).activeAmong([...new Set(connections.map((connection) => connection.sessionId))]);
      for (const connection of connections) {
        if (!active.has(connection.sessionId)) connection.close(REVOKED_CLOSE_CODE, 'Unauthorized: the token was revoked');
      }
    } catch (error) {
      this.logError(error);
    }
  }
}
