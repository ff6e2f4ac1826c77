import { Migration } from '@mikro-orm/migrations';

/**
 * Read access to personal timelines granted by their owners (SPEC section 9). A new, empty table, created
 * as `create_timeline_member` is (short transaction, `lock_timeout`).
 */
export class Migration20260301000300_create_timeline_viewer extends Migration {
  override async up(): Promise<void> {
    this.addSql(`set local lock_timeout = '5s'`);
    this.addSql(`create table timeline_viewer (
      timeline_id int not null,
      user_id int not null,
      created_at timestamp not null default now(),
      constraint timeline_viewer_pkey primary key (timeline_id, user_id),
      constraint timeline_viewer_timeline_id_fkey foreign key (timeline_id) references timeline (id) on delete cascade,
      constraint timeline_viewer_user_id_fkey foreign key (user_id) references "user" (id))`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table timeline_viewer');
  }
}
