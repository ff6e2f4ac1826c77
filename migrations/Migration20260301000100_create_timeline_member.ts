import { Migration } from '@mikro-orm/migrations';

/**
 * Community membership (SPEC section 9): one row per (community, user), its role and state. A new, empty
 * table: its foreign keys are validated instantly, and the brief SHARE ROW EXCLUSIVE lock they take on
 * `timeline` and `"user"` is held only for this short transaction; `lock_timeout` makes the step fail
 * (to be retried) rather than queue writers behind a long-running transaction.
 */
export class Migration20260301000100_create_timeline_member extends Migration {
  override async up(): Promise<void> {
    this.addSql(`set local lock_timeout = '5s'`);
    this.addSql(`create table timeline_member (
      timeline_id int not null,
      user_id int not null,
      role varchar(20) not null default 'member',
      state varchar(20) not null default 'active',
      created_at timestamp not null default now(),
      constraint timeline_member_pkey primary key (timeline_id, user_id),
      constraint timeline_member_role_check check (role in ('admin', 'moderator', 'member')),
      constraint timeline_member_state_check check (state in ('active', 'pending', 'blocked')),
      constraint timeline_member_timeline_id_fkey foreign key (timeline_id) references timeline (id) on delete cascade,
      constraint timeline_member_user_id_fkey foreign key (user_id) references "user" (id))`);
    this.addSql(`create index timeline_member_state_idx on timeline_member (timeline_id, state, user_id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table timeline_member');
  }
}
