import type { PgTimestamp } from '../db/prepared';
import type { MemberRole, MemberState } from './timeline-member.entity';

/** A row of `timeline_member` as the API reads it (the GraphQL `Membership` type's parent). */
export interface MembershipRecord {
  timelineId: number;
  userId: number;
  role: MemberRole;
  state: MemberState;
  createdAt: PgTimestamp;
}

/** The columns of a `MembershipRecord`, for a `timeline_member` aliased `m`. */
export const MEMBERSHIP_COLUMNS = `m.timeline_id as "timelineId", m.user_id as "userId", m.role, m.state, m.created_at as "createdAt"`;
