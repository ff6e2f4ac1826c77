import { BACKFILL_REF_EVENT_DATE } from '../src/db/migration-refs';
import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

/** Copies each event's date onto its reference rows, in batches of events that commit one by one. */
export class Migration20240102001200_backfill_event_timeline_refs_event_date extends StepMigration {
  upSteps(): Step[] {
    return [batches('copy event.event_date to event_timeline_refs.event_date', 'event', BACKFILL_REF_EVENT_DATE)];
  }

  /** Nothing to undo: the copies go with the column (previous migration's `down()`). */
  downSteps(): Step[] {
    return [];
  }

  async verify(db: Session): Promise<string[]> {
    return (await exists(db, 'select 1 from event_timeline_refs where event_date is null')) ? ['some reference rows have no event_date'] : [];
  }
}
