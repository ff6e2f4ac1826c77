import { StepMigration, transaction, exists, type Session, type Step } from '../src/db/migration-support';

/**
 * During a rolling deploy the V1 application still inserts reference rows without `event_date`, which is
 * NOT NULL since the previous step: a trigger copies the date from the event for exactly those rows
 * (its WHEN clause keeps it from even running for rows that carry a date, as V2 writes them).
 */
export class Migration20240102001600_event_timeline_refs_event_date_from_event extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'copy event_date from the event into reference rows inserted without one',
        `create or replace function event_timeline_refs_fill_event_date() returns trigger language plpgsql as $$
         begin
           select e.event_date into new.event_date from event e where e.id = new.event_id;
           return new;
         end $$`,
        `drop trigger if exists event_timeline_refs_fill_event_date on event_timeline_refs`,
        `create trigger event_timeline_refs_fill_event_date before insert on event_timeline_refs
         for each row when (new.event_date is null) execute function event_timeline_refs_fill_event_date()`,
      ),
    ];
  }

  downSteps(): Step[] {
    return [
      transaction(
        'drop the event_date trigger',
        'drop trigger if exists event_timeline_refs_fill_event_date on event_timeline_refs',
        'drop function if exists event_timeline_refs_fill_event_date()',
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const present = await exists(db, `select 1 from pg_trigger where tgname = 'event_timeline_refs_fill_event_date' and not tgisinternal`);
    return present ? [] : ['trigger event_timeline_refs_fill_event_date is missing'];
  }
}
