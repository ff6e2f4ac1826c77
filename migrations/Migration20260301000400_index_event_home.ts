import { Migration } from '@mikro-orm/migrations';

/**
 * An index on `event(timeline_id)`: `deleteTimeline` finds the events homed on a timeline through it, and
 * so does PostgreSQL's check of `event_timeline_id_fkey` when a timeline row is deleted (without it, a
 * scan of the whole event table). Built CONCURRENTLY, so writers are never blocked, which PostgreSQL
 * refuses inside a transaction; an invalid leftover of an interrupted build is dropped and rebuilt.
 */
export class Migration20260301000400_index_event_home extends Migration {
  override isTransactional(): boolean {
    return false;
  }

  override async up(): Promise<void> {
    const [leftover] = await this.execute(`select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname = 'event_timeline_id_idx' and not i.indisvalid`);
    if (leftover) this.addSql('drop index concurrently if exists event_timeline_id_idx');
    this.addSql('create index concurrently if not exists event_timeline_id_idx on event (timeline_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index concurrently if exists event_timeline_id_idx');
  }
}
