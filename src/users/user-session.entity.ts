import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * One issued token (its `jti`): a token is accepted only while its session row exists and has not expired.
 * Revoking (sign-out, password change) deletes the row, which is what makes every process refuse the token.
 */
@Entity({ tableName: 'user_session' })
@Index({ name: 'user_session_user_id_idx', properties: ['user'] })
export class UserSession {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne(() => User, { fieldName: 'user_id', ref: true, foreignKeyName: 'user_session_user_id_fkey', deleteRule: 'cascade', updateRule: 'no action' })
  user!: Ref<User>;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** The token's own `exp`: past it, the row is only kept until the sweep removes it. */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
