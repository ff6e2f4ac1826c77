import { concurrentIndex, constraintInfo, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/** Removes the duplicates of each (event_id, timeline_id) pair, keeping one row (the oldest) of each. */
const DEDUPE = `delete from event_timeline_refs r
  using (select event_id, timeline_id, min(ctid) as keep from event_timeline_refs
         group by event_id, timeline_id having count(*) > 1) d
  where r.event_id = d.event_id and r.timeline_id = d.timeline_id and r.ctid <> d.keep`;

/**
 * A primary key on reference rows: duplicates removed (never a distinct pair), the unique index built
 * CONCURRENTLY (duplicates written meanwhile are removed and the build retried), then adopted as the primary key (a brief lock, no scan: the columns are already NOT NULL).
 *
 * `down()` drops the key; the removed duplicates carried nothing and are not restored.
 */
export class Migration20240102001000_add_event_timeline_refs_primary_key extends StepMigration {
  upSteps(): Step[] {
    return [
      concurrentIndex(
        'event_timeline_refs_pkey',
        'create unique index concurrently "event_timeline_refs_pkey" on event_timeline_refs (event_id, timeline_id)',
        // Before each attempt: a writer still on V1 may add a duplicate while the index builds; then it is retried.
        DEDUPE,
      ),
      transaction(
        'adopt the unique index as the primary key',
        `do $$ begin
           if not exists (select 1 from pg_constraint where conname = 'event_timeline_refs_pkey' and conrelid = 'event_timeline_refs'::regclass) then
             alter table event_timeline_refs add constraint event_timeline_refs_pkey primary key using index event_timeline_refs_pkey;
           end if;
         end $$`,
      ),
    ];
  }

  downSteps(): Step[] {
    return [transaction('drop the primary key', 'alter table event_timeline_refs drop constraint if exists event_timeline_refs_pkey')];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'event_timeline_refs_pkey'))?.type === 'p' ? [] : ['event_timeline_refs has no primary key'];
  }
}
