import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Timeline } from '../timelines/timeline.entity';
import { User } from '../users/user.entity';

/** Read access to a personal timeline, granted by its owner. */
@Entity({ tableName: 'timeline_viewer' })
export class TimelineViewer {
  @ManyToOne(() => Timeline, { primary: true, fieldName: 'timeline_id', ref: true, foreignKeyName: 'timeline_viewer_timeline_id_fkey', deleteRule: 'cascade', updateRule: 'no action' })
  timeline!: Ref<Timeline>;

  @ManyToOne(() => User, { primary: true, fieldName: 'user_id', ref: true, foreignKeyName: 'timeline_viewer_user_id_fkey', deleteRule: 'no action', updateRule: 'no action' })
  user!: Ref<User>;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
