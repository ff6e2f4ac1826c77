import { statement, writeStatement, type PreparedStatements } from '../db/prepared';
import { columns, type EntityRow } from '../db/columns';
import { TimelineMember } from './timeline-member.entity';

/** A row of `timeline_member` as the API reads it (the GraphQL `Membership` type's parent). */
export type MembershipRow = EntityRow<TimelineMember>;

const MEMBERSHIP_COLUMNS = columns(TimelineMember, 'm');
import type { MemberState } from './timeline-member.entity';

const FIND = statement('membership.find', `select ${MEMBERSHIP_COLUMNS} from timeline_member m where m.timeline_id = $1 and m.user_id = $2`);
const FIND_OF_USER = statement(
  'membership.findOfUser',
  `select ${MEMBERSHIP_COLUMNS} from timeline_member m where m.user_id = $1 and m.timeline_id = any($2::int[])`,
);
const COUNT_ACTIVE = statement(
  'membership.countActive',
  `select m.timeline_id as "timelineId", count(*)::int as count from timeline_member m
   where m.timeline_id = any($1::int[]) and m.state = 'active' group by m.timeline_id`,
);
/** One page per timeline in one statement: a keyset scan of `timeline_member_state_idx` each. */
const PAGES = statement(
  'membership.pages',
  `select ${MEMBERSHIP_COLUMNS} from unnest($1::int[]) as q(timeline_id)
   cross join lateral (
     select * from timeline_member m where m.timeline_id = q.timeline_id and m.state = $2 and m.user_id > $3
     order by m.user_id limit $4
   ) m`,
);
const OTHER_ADMINS = statement(
  'membership.otherAdmins',
  `select count(*)::int as count from timeline_member m
   where m.timeline_id = $1 and m.role = 'admin' and m.state = 'active' and m.user_id <> $2`,
);
/**
 * Every change that could affect who administers a community takes this lock first, so that such changes
 * on one community run one at a time and each re-reads the memberships it checks (two admins demoting each
 * other at once: the second finds itself no longer an admin). NO KEY UPDATE does not block posting (the
 * event's foreign key takes KEY SHARE).
 */
const LOCK_COMMUNITY = writeStatement('membership.lockCommunity', `select id from timeline where id = $1 for no key update`);

export class MembershipRepository {
  constructor(private readonly db: PreparedStatements) {}

  find(timelineId: number, userId: number): Promise<MembershipRow | undefined> {
    return this.db.row<MembershipRow>(FIND, [timelineId, userId]);
  }

  findOfUser(userId: number, timelineIds: readonly number[]): Promise<MembershipRow[]> {
    return this.db.rows<MembershipRow>(FIND_OF_USER, [userId, timelineIds]);
  }

  countActive(timelineIds: readonly number[]): Promise<{ timelineId: number; count: number }[]> {
    return this.db.rows(COUNT_ACTIVE, [timelineIds]);
  }

  /** Up to `limit` memberships in `state` of each timeline, by user id, after `afterUserId`. */
  pages(timelineIds: readonly number[], state: MemberState, afterUserId: number, limit: number): Promise<MembershipRow[]> {
    return this.db.rows<MembershipRow>(PAGES, [timelineIds, state, afterUserId, limit]);
  }

  async otherActiveAdmins(timelineId: number, userId: number): Promise<number> {
    return (await this.db.row<{ count: number }>(OTHER_ADMINS, [timelineId, userId]))!.count;
  }

  /** See LOCK_COMMUNITY; only inside a transaction. */
  async lockCommunity(timelineId: number): Promise<void> {
    await this.db.rows(LOCK_COMMUNITY, [timelineId]);
  }
}
