import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Timeline } from '../timelines/timeline.entity';
import { User } from '../users/user.entity';

export type EventKind = 'remark' | 'news' | 'media';

@Entity({ tableName: 'event' })
export class Event {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamp' })
  eventDate!: Date;

  @Property({ type: 'string', length: 50, default: 'remark' })
  type: EventKind = 'remark';

  @Property({ type: 'string', length: 500, nullable: true })
  url?: string | null;

  @Property({ type: 'string', length: 500, nullable: true })
  mediaUrl?: string | null;

  /** Canonical tags (no `#`), de-duplicated, in first-seen order. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  tags: string[] = [];

  /** The home timeline; optional since V2. Indexed for `deleteTimeline` and the foreign key's own check. */
  @Index({ name: 'event_timeline_id_idx' })
  @ManyToOne(() => Timeline, { fieldName: 'timeline_id', nullable: true, ref: true, foreignKeyName: 'event_timeline_id_fkey', deleteRule: 'no action', updateRule: 'no action' })
  timeline?: Ref<Timeline> | null;

  @ManyToOne(() => User, { fieldName: 'created_by', ref: true, foreignKeyName: 'event_created_by_fkey', deleteRule: 'no action', updateRule: 'no action' })
  createdBy!: Ref<User>;

  @Property({ type: 'datetime', columnType: 'timestamp', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
