import { check, constraintInfo, exists, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Read access to personal timelines, granted by their owners (SPEC section 9). A new, empty table, created
 * as `timeline_member` is (one short transaction under `lock_timeout`).
 */
export class Migration20260301000300_create_timeline_viewer extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'create table timeline_viewer',
        `create table if not exists timeline_viewer (
          timeline_id int not null,
          user_id int not null,
          created_at timestamp not null default now(),
          constraint timeline_viewer_pkey primary key (timeline_id, user_id),
          constraint timeline_viewer_timeline_id_fkey foreign key (timeline_id) references timeline (id) on delete cascade,
          constraint timeline_viewer_user_id_fkey foreign key (user_id) references "user" (id))`,
      ),
    ];
  }

  downSteps(): Step[] {
    return [
      check('no granted viewers (dropping the table would lose them)', async (db) => {
        if (await exists(db, 'select 1 from timeline_viewer')) {
          throw new Error(
            `${this.constructor.name} cannot go down: personal timelines are shared with viewers that the V1 schema cannot record. ` +
              'Delete the rows of timeline_viewer first if losing them is intended.',
          );
        }
      }),
      transaction('drop table timeline_viewer', 'drop table if exists timeline_viewer'),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'timeline_viewer_pkey')) ? [] : ['table timeline_viewer does not exist'];
  }
}
