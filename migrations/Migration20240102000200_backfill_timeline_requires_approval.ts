import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

/** V2 step 2 of the zero-downtime column: existing rows get `false`, in batches that commit one by one. */
export class Migration20240102000200_backfill_timeline_requires_approval extends StepMigration {
  upSteps(): Step[] {
    return [
      batches(
        'backfill timeline.requires_approval = false',
        'timeline',
        'update timeline set requires_approval = false where id > $1 and id <= $2 and requires_approval is null',
      ),
    ];
  }

  /** Nothing to undo: `false` is what the column means for rows that never said otherwise. */
  downSteps(): Step[] {
    return [];
  }

  async verify(db: Session): Promise<string[]> {
    return (await exists(db, 'select 1 from timeline where requires_approval is null'))
      ? ['some timeline rows have requires_approval null']
      : [];
  }
}
