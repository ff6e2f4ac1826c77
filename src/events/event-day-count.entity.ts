import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many listings a timeline has on one UTC day of `event_date`, kept by triggers on `event_timeline_refs` and
 * `timeline` in the transaction of every listing change (see its migration, `create_event_day_count`). Never
 * written by the application; `EventRepository` reads it for counts and histograms.
 */
@Entity({ tableName: 'event_day_count' })
export class EventDayCount {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  timelineId!: number;

  @PrimaryKey({ type: 'date' })
  day!: string;

  /** The event's home when the listing is elsewhere and that home is hidden from someone (private), else 0. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  hiddenHome!: number;

  /** The writer's `pg_backend_pid() % 64`: concurrent writers of one timeline-day do not queue on one row. */
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  shard!: number;

  /** May be negative on one shard (added on one, removed on another); the sum over shards is exact. */
  @Property({ type: 'integer' })
  count!: number;
}
