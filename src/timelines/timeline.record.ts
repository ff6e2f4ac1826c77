import type { PgTimestamp } from '../db/sql';
import type { TimelineKind, TimelineVisibility } from './timeline.entity';

/** A timeline as the API reads it (the GraphQL `Timeline` type's parent). */
export interface TimelineRecord {
  id: number;
  name: string;
  type: TimelineKind;
  description: string | null;
  visibility: TimelineVisibility;
  requiresApproval: boolean;
  createdById: number | null;
  createdAt: PgTimestamp;
}

/** The columns of a `TimelineRecord`, for a `timeline` aliased `t`. */
export const TIMELINE_COLUMNS = `t.id, t.name, t.timeline_type as type, t.description, t.visibility,
  coalesce(t.requires_approval, false) as "requiresApproval", t.created_by as "createdById", t.created_at as "createdAt"`;

/**
 * Whether timeline `t` is visible to the user whose id is the parameter `viewer` (null: anonymous), per
 * SPEC section 5. The one definition of timeline visibility: every query that returns timelines or
 * events uses it.
 */
export function timelineVisibleTo(t: string, viewer: string): string {
  return `(case when ${t}.timeline_type = 'personal' then ${t}.created_by = ${viewer}::int
    else ${t}.visibility = 'public' or ${t}.created_by = ${viewer}::int end) is true`;
}
