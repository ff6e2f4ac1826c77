import { concurrentIndex, indexValidity, outside, StepMigration, type Session, type Step } from '../src/db/migration-support';

/** A timeline's events, newest first, as one range scan: built CONCURRENTLY, checked valid. */
export class Migration20240102001500_create_event_timeline_refs_listing_index extends StepMigration {
  upSteps(): Step[] {
    return [
      concurrentIndex(
        'event_timeline_refs_listing_idx',
        'create index concurrently "event_timeline_refs_listing_idx" on "event_timeline_refs" (timeline_id, event_date desc, event_id desc)',
      ),
    ];
  }

  downSteps(): Step[] {
    return [outside('drop index event_timeline_refs_listing_idx', 'drop index concurrently if exists "event_timeline_refs_listing_idx"')];
  }

  async verify(db: Session): Promise<string[]> {
    return (await indexValidity(db, 'event_timeline_refs_listing_idx')) === true ? [] : ['index event_timeline_refs_listing_idx is missing or INVALID'];
  }
}
