import { check, concurrentIndex, constraintInfo, indexValidity, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

const V2_INDEXES = ['timeline_public_name_unique', 'timeline_personal_name_unique'];

/**
 * Drops the legacy global UNIQUE(name), only once both V2 indexes are valid: from here `#Foo`, `i-Foo` and every
 * user's `My-Foo` may share the base name `Foo`.
 */
export class Migration20240102000600_drop_timeline_name_key extends StepMigration {
  upSteps(): Step[] {
    return [
      check('both V2 name indexes are valid', async (db) => {
        for (const name of V2_INDEXES) {
          if ((await indexValidity(db, name)) !== true) {
            throw new Error(`${this.constructor.name} refuses to drop timeline_name_key: index ${name} is missing or INVALID`);
          }
        }
      }),
      transaction('drop the legacy UNIQUE(name)', 'alter table timeline drop constraint if exists timeline_name_key'),
    ];
  }

  /**
   * Back to a global UNIQUE(name): refused, changing nothing, while two timelines share a name (they may since
   * V2). The unique index is built CONCURRENTLY, then becomes the constraint.
   */
  downSteps(): Step[] {
    return [
      check('no two timelines share a name', async (db) => {
        const { rows } = await db.query<{ name: string; ids: number[] }>(
          `select name, array_agg(id order by id) as ids from timeline group by name having count(*) > 1 order by name limit 20`,
        );
        if (rows.length > 0) {
          throw new Error(
            `${this.constructor.name} cannot go down and changed nothing: the V1 schema needs every timeline name to be unique, ` +
              `but these are shared (rename them first): ${rows.map((row) => `"${row.name}" (timelines ${row.ids.join(', ')})`).join('; ')}`,
          );
        }
      }),
      concurrentIndex('timeline_name_key', 'create unique index concurrently "timeline_name_key" on timeline (name)'),
      transaction(
        'restore the legacy UNIQUE(name)',
        `do $$ begin
           if not exists (select 1 from pg_constraint where conname = 'timeline_name_key' and conrelid = 'timeline'::regclass) then
             alter table timeline add constraint timeline_name_key unique using index timeline_name_key;
           end if;
         end $$`,
      ),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'timeline_name_key')) ? ['the legacy constraint timeline_name_key still exists'] : [];
  }
}
