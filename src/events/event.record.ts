import type { PgTimestamp } from '../db/prepared';
import type { EventKind } from './event.entity';

/** An event as the API reads it (the GraphQL `Event` type's parent). */
export interface EventRecord {
  id: number;
  title: string;
  description: string | null;
  type: EventKind;
  url: string | null;
  mediaUrl: string | null;
  eventDate: PgTimestamp;
  tags: string[];
  timelineId: number | null;
  createdById: number;
  createdAt: PgTimestamp;
}

/** The columns of an `EventRecord`, for an `event` aliased `e`. */
export const EVENT_COLUMNS = `e.id, e.title, e.description, e.type, e.url, e.media_url as "mediaUrl", e.event_date as "eventDate",
  e.tags, e.timeline_id as "timelineId", e.created_by as "createdById", e.created_at as "createdAt"`;
