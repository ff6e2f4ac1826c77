import { columnInfo, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * `event_timeline_refs.event_date`, a copy of the event's date so that a timeline's page is one range scan of
 * the listing index. Nullable here (catalog-only); backfilled and made NOT NULL by the next migrations.
 */
export class Migration20240102001100_add_event_timeline_refs_event_date extends StepMigration {
  upSteps(): Step[] {
    return [transaction('add event_timeline_refs.event_date (nullable)', 'alter table event_timeline_refs add column if not exists event_date timestamp null')];
  }

  /** The column is a copy of `event.event_date`: dropping it loses nothing. */
  downSteps(): Step[] {
    return [transaction('drop event_timeline_refs.event_date', 'alter table event_timeline_refs drop column if exists event_date')];
  }

  async verify(db: Session): Promise<string[]> {
    return (await columnInfo(db, 'event_timeline_refs', 'event_date')) ? [] : ['event_timeline_refs.event_date does not exist'];
  }
}
