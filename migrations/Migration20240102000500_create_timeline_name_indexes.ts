import { concurrentIndex, indexValidity, outside, StepMigration, type Session, type Step } from '../src/db/migration-support';

/**
 * The V2 uniqueness rules (SPEC section 3) as two partial unique indexes, built CONCURRENTLY so that writes go
 * on meanwhile. Case folds with `upper(... collate "und-x-icu")`, independent of the server's locale. The legacy
 * UNIQUE(name) stays until both are valid (next migration).
 */
const TIMELINE_NAME_INDEXES = {
  timeline_public_name_unique:
    `create unique index concurrently "timeline_public_name_unique" on "timeline" (upper(name collate "und-x-icu"), timeline_type) where timeline_type in ('hashtag', 'community')`,
  timeline_personal_name_unique:
    `create unique index concurrently "timeline_personal_name_unique" on "timeline" (upper(name collate "und-x-icu"), timeline_type, created_by) where timeline_type = 'personal'`,
};

export class Migration20240102000500_create_timeline_name_indexes extends StepMigration {
  upSteps(): Step[] {
    return Object.entries(TIMELINE_NAME_INDEXES).map(([name, sql]) => concurrentIndex(name, sql));
  }

  downSteps(): Step[] {
    return Object.keys(TIMELINE_NAME_INDEXES).map((name) => outside(`drop index ${name}`, `drop index concurrently if exists "${name}"`));
  }

  async verify(db: Session): Promise<string[]> {
    const problems: string[] = [];
    for (const name of Object.keys(TIMELINE_NAME_INDEXES)) {
      const valid = await indexValidity(db, name);
      if (valid !== true) problems.push(`index ${name} is ${valid === null ? 'missing' : 'INVALID'}`);
    }
    return problems;
  }
}
