import { statement, writeStatement, type PreparedStatements } from '../db/prepared';
import type { UserRow } from '../users/user.repository';

const GRANT = writeStatement(
  'viewer.grant',
  `with u as (select id, username from "user" where username = $2),
   granted as (insert into timeline_viewer (timeline_id, user_id) select $1, id from u on conflict do nothing)
   select id, username from u`,
);
const REVOKE = writeStatement(
  'viewer.revoke',
  `delete from timeline_viewer v using "user" u where v.timeline_id = $1 and v.user_id = u.id and u.username = $2 returning u.id`,
);
const PAGES = statement(
  'viewer.pages',
  `select q.timeline_id as "timelineId", u.id, u.username from unnest($1::int[]) as q(timeline_id)
   cross join lateral (
     select v.user_id from timeline_viewer v where v.timeline_id = q.timeline_id and v.user_id > $2 order by v.user_id limit $3
   ) v
   join "user" u on u.id = v.user_id
   order by q.timeline_id, u.id`,
);

export class ViewerRepository {
  constructor(private readonly db: PreparedStatements) {}

  /** Grants `username` read access (again: no change); undefined when there is no such user. */
  grant(timelineId: number, username: string): Promise<UserRow | undefined> {
    return this.db.row<UserRow>(GRANT, [timelineId, username]);
  }

  /** Whether that user had access to revoke. */
  async revoke(timelineId: number, username: string): Promise<boolean> {
    return (await this.db.rows(REVOKE, [timelineId, username])).length > 0;
  }

  /** Up to `limit` viewers of each timeline, by user id, after `afterUserId`. */
  pages(timelineIds: readonly number[], afterUserId: number, limit: number): Promise<(UserRow & { timelineId: number })[]> {
    return this.db.rows(PAGES, [timelineIds, afterUserId, limit]);
  }
}
