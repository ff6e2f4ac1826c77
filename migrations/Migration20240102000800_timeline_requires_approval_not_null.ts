import { batches, columnInfo, setNotNull, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * V2 step 3 of the zero-downtime column: rows written since the backfill are backfilled too, then NOT NULL is
 * set through a validated CHECK, so that no lock is held while the table is scanned.
 */
export class Migration20240102000800_timeline_requires_approval_not_null extends StepMigration {
  upSteps(): Step[] {
    return [
      batches(
        'backfill rows written since the first backfill',
        'timeline',
        'update timeline set requires_approval = false where id > $1 and id <= $2 and requires_approval is null',
      ),
      ...setNotNull('timeline', 'requires_approval'),
    ];
  }

  downSteps(): Step[] {
    return [transaction('drop NOT NULL on timeline.requires_approval', 'alter table timeline alter column requires_approval drop not null')];
  }

  async verify(db: Session): Promise<string[]> {
    const column = await columnInfo(db, 'timeline', 'requires_approval');
    return column && !column.nullable ? [] : ['timeline.requires_approval is not NOT NULL'];
  }
}
