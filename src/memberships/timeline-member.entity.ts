import { Entity, Enum, Index, ManyToOne, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Timeline } from '../timelines/timeline.entity';
import { User } from '../users/user.entity';

export type MemberRole = 'admin' | 'moderator' | 'member';
export type MemberState = 'active' | 'pending' | 'blocked';

/** A user's membership of a community: at most one row per pair, whatever the races (its primary key). */
@Entity({ tableName: 'timeline_member' })
@Index({ name: 'timeline_member_state_idx', properties: ['timeline', 'state', 'user'] })
export class TimelineMember {
  @ManyToOne(() => Timeline, { primary: true, fieldName: 'timeline_id', ref: true, foreignKeyName: 'timeline_member_timeline_id_fkey', deleteRule: 'cascade', updateRule: 'no action' })
  timeline!: Ref<Timeline>;

  @ManyToOne(() => User, { primary: true, fieldName: 'user_id', ref: true, foreignKeyName: 'timeline_member_user_id_fkey', deleteRule: 'no action', updateRule: 'no action' })
  user!: Ref<User>;

  /** Checked by `timeline_member_role_check` (MikroORM names and compares enum checks itself). */
  @Enum({ items: ['admin', 'moderator', 'member'], columnType: 'varchar(20)', default: 'member' })
  role: MemberRole = 'member';

  @Enum({ items: ['active', 'pending', 'blocked'], columnType: 'varchar(20)', default: 'active' })
  state: MemberState = 'active';

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
