import { auditGuard } from '../src/db/audit';
import { baseNameSql } from '../src/db/legacy-names';
import { batches, exists, StepMigration, type Session, type Step } from '../src/db/migration-support';

/**
 * Names become base names (SPEC section 2): the row's own type prefix (`#`, `i-`, `My-`, any case) stripped,
 * NFKC, trimmed, whitespace collapsed. Runs after the legacy UNIQUE(name) is gone, since `i-Foo` (community)
 * and `Foo` (hashtag) both become `Foo`. Guarded by the V2 audit: it refuses, changing nothing, while any row
 * blocks.
 *
 * `down()` changes nothing: base names are valid V1 names, and which rows had a prefix (and in which case) is
 * not kept. The formatted name users see is unchanged either way (`#` + `Foo`).
 */
export class Migration20240102000700_normalise_timeline_names extends StepMigration {
  upSteps(): Step[] {
    return [
      auditGuard(this.constructor.name),
      batches(
        'store base names in timeline.name',
        'timeline',
        `update timeline t set name = x.base
         from (select id, ${baseNameSql('name', 'timeline_type')} as base from timeline where id > $1 and id <= $2) x
         where t.id = x.id and t.name <> x.base`,
      ),
    ];
  }

  downSteps(): Step[] {
    return [];
  }

  async verify(db: Session): Promise<string[]> {
    return (await exists(db, `select 1 from timeline where name <> ${baseNameSql('name', 'timeline_type')}`))
      ? ['some timeline names are not base names']
      : [];
  }
}
