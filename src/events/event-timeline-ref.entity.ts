import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Timeline } from '../timelines/timeline.entity';
import { User } from '../users/user.entity';
import { Event } from './event.entity';

/** How a listing came to be: the event's home timeline, the hashtag timeline of one of its tags, or a share. */
export type ListingKind = 'home' | 'tag' | 'share';

/**
 * One row per timeline an event is listed on, its home timeline included. `event_date` is copied from
 * the event so that a timeline's page is one index range scan, whatever the table's size.
 */
@Entity({ tableName: 'event_timeline_refs' })
@Index({
  name: 'event_timeline_refs_listing_idx',
  expression: 'create index "event_timeline_refs_listing_idx" on "event_timeline_refs" (timeline_id, event_date desc, event_id desc)',
})
export class EventTimelineRef {
  @ManyToOne(() => Event, { primary: true, fieldName: 'event_id', ref: true, foreignKeyName: 'event_timeline_refs_event_id_fkey', deleteRule: 'no action', updateRule: 'no action' })
  event!: Ref<Event>;

  @ManyToOne(() => Timeline, { primary: true, fieldName: 'timeline_id', ref: true, foreignKeyName: 'event_timeline_refs_timeline_id_fkey', deleteRule: 'no action', updateRule: 'no action' })
  timeline!: Ref<Timeline>;

  @Property({ type: 'datetime', columnType: 'timestamp' })
  eventDate!: Date;

  @Property({ type: 'datetime', columnType: 'timestamp', nullable: true, defaultRaw: 'now()' })
  createdAt?: Date | null;

  /** Checked by `event_timeline_refs_kind_check`; a row inserted without one gets it from a trigger (see its migration). */
  @Enum({ items: ['home', 'tag', 'share'], columnType: 'varchar(10)' })
  kind!: ListingKind;

  /** Who shared it (kind `share`); null for home and tag listings, and for shares older than this column. */
  @ManyToOne(() => User, { fieldName: 'shared_by', nullable: true, ref: true, foreignKeyName: 'event_timeline_refs_shared_by_fkey', deleteRule: 'no action', updateRule: 'no action' })
  sharedBy?: Ref<User> | null;
}
