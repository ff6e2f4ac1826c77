import { Migration } from '@mikro-orm/migrations';

/**
 * Legacy communities had no members: each one's creator becomes its first ADMIN, ACTIVE (a community
 * without a recorded creator keeps none). Writes only the new table; the foreign-key checks take
 * row-level KEY SHARE locks on the referenced rows, which do not block ordinary updates of them.
 * Idempotent, so a re-run after a failure changes nothing twice.
 */
export class Migration20260301000200_backfill_community_admins extends Migration {
  override async up(): Promise<void> {
    this.addSql(`insert into timeline_member (timeline_id, user_id, role, state, created_at)
      select id, created_by, 'admin', 'active', created_at from timeline
      where timeline_type = 'community' and created_by is not null
      on conflict (timeline_id, user_id) do nothing`);
  }

  /** Removes only what `up()` added: creators' admin rows on communities with no other member. */
  override async down(): Promise<void> {
    this.addSql(`delete from timeline_member m using timeline t
      where t.id = m.timeline_id and m.user_id = t.created_by and m.role = 'admin' and m.state = 'active'
        and not exists (select 1 from timeline_member o where o.timeline_id = m.timeline_id and o.user_id <> m.user_id)`);
  }
}
