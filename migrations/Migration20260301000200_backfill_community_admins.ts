import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

/**
 * Legacy communities had no members: each one's creator becomes its first ADMIN, ACTIVE (a community without
 * a recorded creator gets none). In batches of timeline ids, each committed on its own; writes only the new
 * table (the foreign-key checks take KEY SHARE row locks, which ordinary updates of timelines do not wait for).
 * Idempotent: a re-run after an interruption adds nothing twice.
 */
export class Migration20260301000200_backfill_community_admins extends StepMigration {
  upSteps(): Step[] {
    return [
      batches(
        'make each community creator its ADMIN',
        'timeline',
        `insert into timeline_member (timeline_id, user_id, role, state, created_at)
         select id, created_by, 'admin', 'active', created_at from timeline
         where id > $1 and id <= $2 and timeline_type = 'community' and created_by is not null
         on conflict (timeline_id, user_id) do nothing`,
      ),
    ];
  }

  /** Removes what `up()` added where nothing happened since: a creator's admin row on a community with no other member. */
  downSteps(): Step[] {
    return [
      batches(
        'remove creator-only memberships',
        'timeline',
        `delete from timeline_member m using timeline t
         where t.id > $1 and t.id <= $2 and t.id = m.timeline_id and m.user_id = t.created_by
           and m.role = 'admin' and m.state = 'active'
           and not exists (select 1 from timeline_member o where o.timeline_id = m.timeline_id and o.user_id <> m.user_id)`,
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const missing = await exists(
      db,
      `select 1 from timeline t where t.timeline_type = 'community' and t.created_by is not null
       and not exists (select 1 from timeline_member m where m.timeline_id = t.id)`,
    );
    return missing ? ['some communities have no members, not even their creator'] : [];
  }
}
