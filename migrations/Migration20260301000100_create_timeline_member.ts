import { check, constraintInfo, exists, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Community membership (SPEC section 9): one row per (community, user), its role and state. A new, empty
 * table: its foreign keys have nothing to validate, and the SHARE ROW EXCLUSIVE lock they take on `timeline`
 * and `"user"` lasts only this short transaction (under `lock_timeout`, retried).
 */
export class Migration20260301000100_create_timeline_member extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'create table timeline_member',
        `create table if not exists timeline_member (
          timeline_id int not null,
          user_id int not null,
          role varchar(20) not null default 'member',
          state varchar(20) not null default 'active',
          created_at timestamp not null default now(),
          constraint timeline_member_pkey primary key (timeline_id, user_id),
          constraint timeline_member_role_check check (role in ('admin', 'moderator', 'member')),
          constraint timeline_member_state_check check (state in ('active', 'pending', 'blocked')),
          constraint timeline_member_timeline_id_fkey foreign key (timeline_id) references timeline (id) on delete cascade,
          constraint timeline_member_user_id_fkey foreign key (user_id) references "user" (id))`,
        'create index if not exists timeline_member_state_idx on timeline_member (timeline_id, state, user_id)',
      ),
    ];
  }

  downSteps(): Step[] {
    return [
      check('no memberships (dropping the table would lose them)', async (db) => {
        if (await exists(db, 'select 1 from timeline_member')) {
          throw new Error(
            `${this.constructor.name} cannot go down: communities have members that the V1 schema cannot record. ` +
              'Delete the rows of timeline_member first if losing them is intended.',
          );
        }
      }),
      transaction('drop table timeline_member', 'drop table if exists timeline_member'),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'timeline_member_pkey')) ? [] : ['table timeline_member does not exist'];
  }
}
