import { auditGuard } from '../src/db/audit';
import { check, columnInfo, exists, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * V2 step 1 of the zero-downtime column (nullable → batched backfill → NOT NULL): a nullable column, so that
 * adding it rewrites nothing; its default applies to new rows only. The V2 audit runs first, so that a database
 * that the later steps would refuse is refused here, before anything changes.
 */
export class Migration20240102000100_add_timeline_requires_approval extends StepMigration {
  upSteps(): Step[] {
    return [
      auditGuard(this.constructor.name),
      transaction(
        'add timeline.requires_approval (nullable, default false for new rows)',
        'alter table timeline add column if not exists requires_approval boolean',
        'alter table timeline alter column requires_approval set default false',
      ),
    ];
  }

  downSteps(): Step[] {
    return [
      check('no timeline requires approval (dropping the column would lose it)', async (db) => {
        if (await exists(db, 'select 1 from timeline where requires_approval')) {
          throw new Error(
            `${this.constructor.name} cannot go down: some timelines require approval and the V1 schema cannot say so. ` +
              'Set requires_approval = false on them first if losing that is intended.',
          );
        }
      }),
      transaction('drop timeline.requires_approval', 'alter table timeline drop column if exists requires_approval'),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    return (await columnInfo(db, 'timeline', 'requires_approval')) ? [] : ['timeline.requires_approval does not exist'];
  }
}
