import { constraintInfo, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

const CHECKS = {
  timeline_type_check: "timeline_type in ('hashtag', 'community', 'personal')",
  timeline_personal_owner_check: "timeline_type <> 'personal' or created_by is not null",
};

/**
 * The two V2 CHECK constraints, added NOT VALID (a brief lock, no scan; new rows are checked at once) and then
 * validated in a transaction of their own, which scans without blocking writes.
 */
export class Migration20240102000400_add_timeline_checks extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'add the CHECK constraints NOT VALID',
        ...Object.entries(CHECKS).flatMap(([name, expression]) => [
          `alter table timeline drop constraint if exists ${name}`,
          `alter table timeline add constraint ${name} check (${expression}) not valid`,
        ]),
      ),
      ...Object.keys(CHECKS).map((name) => transaction(`validate ${name}`, `alter table timeline validate constraint ${name}`)),
    ];
  }

  downSteps(): Step[] {
    return [
      transaction('drop the CHECK constraints', ...Object.keys(CHECKS).map((name) => `alter table timeline drop constraint if exists ${name}`)),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    const problems: string[] = [];
    for (const name of Object.keys(CHECKS)) {
      const info = await constraintInfo(db, name);
      if (!info?.validated) problems.push(`constraint ${name} is ${info ? 'not validated' : 'missing'}`);
    }
    return problems;
  }
}
