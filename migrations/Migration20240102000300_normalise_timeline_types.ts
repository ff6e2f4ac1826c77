import { auditGuard } from '../src/db/audit';
import { typeSql } from '../src/db/legacy-names';
import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

/**
 * Legacy type strings in any case (`Hashtag`, `COMMUNITY`) become the three lower-case V2 values. The first step
 * that changes data: it runs the V2 audit and refuses, changing nothing, while any row blocks.
 */
export class Migration20240102000300_normalise_timeline_types extends StepMigration {
  upSteps(): Step[] {
    return [
      auditGuard(this.constructor.name),
      batches(
        'lower-case timeline.timeline_type',
        'timeline',
        `update timeline set timeline_type = ${typeSql('timeline_type')}
         where id > $1 and id <= $2 and timeline_type <> ${typeSql('timeline_type')}`,
      ),
    ];
  }

  /** The V1 schema accepts lower-case types, and the original casing carried no meaning: nothing to undo. */
  downSteps(): Step[] {
    return [];
  }

  async verify(db: Session): Promise<string[]> {
    return (await exists(db, `select 1 from timeline where timeline_type <> ${typeSql('timeline_type')}`))
      ? ['some timeline types are not lower case']
      : [];
  }
}
