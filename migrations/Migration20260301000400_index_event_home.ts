import { concurrentIndex, indexValidity, outside, StepMigration, type Session, type Step } from '../src/db/migration-support';

/**
 * `event(timeline_id)`: `deleteTimeline` finds the events homed on a timeline through it, and so does
 * PostgreSQL's check of `event_timeline_id_fkey` whenever a timeline row is deleted (else a scan of the whole
 * event table). Built CONCURRENTLY, so writers go on; checked valid.
 */
export class Migration20260301000400_index_event_home extends StepMigration {
  upSteps(): Step[] {
    return [concurrentIndex('event_timeline_id_idx', 'create index concurrently "event_timeline_id_idx" on "event" (timeline_id)')];
  }

  downSteps(): Step[] {
    return [outside('drop index event_timeline_id_idx', 'drop index concurrently if exists "event_timeline_id_idx"')];
  }

  async verify(db: Session): Promise<string[]> {
    return (await indexValidity(db, 'event_timeline_id_idx')) === true ? [] : ['index event_timeline_id_idx is missing or INVALID'];
  }
}
