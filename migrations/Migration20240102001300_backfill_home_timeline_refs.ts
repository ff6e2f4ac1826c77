import { BACKFILL_HOME_REFS } from '../src/db/migration-refs';
import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

const MISSING_HOME_REF = `select 1 from event e where e.timeline_id is not null
  and not exists (select 1 from event_timeline_refs r where r.event_id = e.id and r.timeline_id = e.timeline_id)`;

/**
 * V2 lists every listing of an event as a reference row, its home timeline included (V1 listed the home only
 * in `event.timeline_id`): each event gets the reference row for its home timeline that it lacks.
 *
 * `down()` keeps them: V1 cannot tell them from references it wrote itself, and a reference to the home
 * timeline says nothing V1 did not already know.
 */
export class Migration20240102001300_backfill_home_timeline_refs extends StepMigration {
  upSteps(): Step[] {
    return [batches('add the missing home-timeline reference rows', 'event', BACKFILL_HOME_REFS)];
  }

  downSteps(): Step[] {
    return [];
  }

  async verify(db: Session): Promise<string[]> {
    return (await exists(db, MISSING_HOME_REF)) ? ['some events lack the reference row of their home timeline'] : [];
  }
}
