import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The attempts counted against one throttled key (`<rule>:<sha256 of the username or address>`) in its
 * current window, shared by every server process; see `AuthThrottleRepository` for how a row moves.
 */
@Entity({ tableName: 'auth_throttle' })
export class AuthThrottle {
  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  /** Attempts let through (or refused at the crossing) in the window ending at `windowEnds`. */
  @Property({ type: 'integer' })
  hits!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowEnds!: Date;

  /** How often the key was locked since it was last quiet: each lockout doubles the wait. */
  @Property({ type: 'integer', default: 0 })
  lockouts: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  blockedUntil?: Date | null;
}
