import { check, constraintInfo, exists, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Sign-in sessions (SPEC section 15): one row per token issued; a token is accepted only while its row
 * exists, so deleting the row (sign-out, password change) revokes the token on every process. A new, empty table, created as `timeline_member` is (one
 * short transaction under `lock_timeout`); its index is built in the same transaction, on no rows.
 */
export class Migration20261203000200_create_user_session extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'create table user_session',
        `create table if not exists user_session (
          id uuid not null,
          user_id int not null,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          constraint user_session_pkey primary key (id),
          constraint user_session_user_id_fkey foreign key (user_id) references "user" (id) on delete cascade)`,
        'create index if not exists user_session_user_id_idx on user_session (user_id)',
      ),
    ];
  }

  downSteps(): Step[] {
    return [
      check('no live sessions (dropping the table would sign everyone out)', async (db) => {
        if (await exists(db, 'select 1 from user_session where expires_at > now()')) {
          throw new Error(
            `${this.constructor.name} cannot go down: users are signed in, and their tokens name sessions that would no longer exist. ` +
              'Delete the rows of user_session first if signing everyone out is intended.',
          );
        }
      }),
      transaction('drop table user_session', 'drop table if exists user_session'),
    ];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'user_session_pkey')) ? [] : ['table user_session does not exist'];
  }
}
