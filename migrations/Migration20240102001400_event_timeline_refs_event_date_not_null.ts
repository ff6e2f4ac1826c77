import { BACKFILL_HOME_REFS, BACKFILL_REF_EVENT_DATE } from '../src/db/migration-refs';
import { batches, columnInfo, setNotNull, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * `event_timeline_refs.event_date` NOT NULL, through a validated CHECK (no long lock). Rows written by the V1
 * application since the backfills are backfilled first.
 */
export class Migration20240102001400_event_timeline_refs_event_date_not_null extends StepMigration {
  upSteps(): Step[] {
    return [
      batches('copy event dates to reference rows written since the backfill', 'event', BACKFILL_REF_EVENT_DATE),
      batches('add home-timeline reference rows for events written since the backfill', 'event', BACKFILL_HOME_REFS),
      ...setNotNull('event_timeline_refs', 'event_date'),
    ];
  }

  downSteps(): Step[] {
    return [transaction('drop NOT NULL on event_timeline_refs.event_date', 'alter table event_timeline_refs alter column event_date drop not null')];
  }

  async verify(db: Session): Promise<string[]> {
    const column = await columnInfo(db, 'event_timeline_refs', 'event_date');
    return column && !column.nullable ? [] : ['event_timeline_refs.event_date is not NOT NULL'];
  }
}
