import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Timeline } from '../timelines/timeline.entity';
import { Event } from './event.entity';

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
}
