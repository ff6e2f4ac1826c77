import { constraintInfo, StepMigration, transaction, type Session, type Step } from '../src/db/migration-support';

/**
 * Sign-in and sign-up throttling (SPEC section 15): one row per throttled key (a hashed username or client
 * address), shared by every server process. A new, empty table, created in one short transaction.
 */
export class Migration20261203000210_create_auth_throttle extends StepMigration {
  upSteps(): Step[] {
    return [
      transaction(
        'create table auth_throttle',
        `create table if not exists auth_throttle (
          key varchar(100) not null,
          hits int not null,
          window_ends timestamptz not null,
          lockouts int not null default 0,
          blocked_until timestamptz null,
          constraint auth_throttle_pkey primary key (key))`,
      ),
    ];
  }

  /** The rows are counts that start over anyway: dropping them loses nothing anyone relies on. */
  downSteps(): Step[] {
    return [transaction('drop table auth_throttle', 'drop table if exists auth_throttle')];
  }

  async verify(db: Session): Promise<string[]> {
    return (await constraintInfo(db, 'auth_throttle_pkey')) ? [] : ['table auth_throttle does not exist'];
  }
}
