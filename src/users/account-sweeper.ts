import type { MikroORM } from '@mikro-orm/postgresql';
import type { AccountSettings } from '../config';
import { PreparedStatements } from '../db/prepared';
import { StatementCounter } from '../db/statement-counter';
import { AuthThrottleRepository } from './auth-throttle.repository';
import { SessionRepository } from './session.repository';

const EVERY_MS = 10 * 60 * 1000;
const BATCH = 5000;

/**
 * Every ten minutes, deletes expired sessions and throttle rows that would start from nothing anyway, in
 * batches, so that neither table grows with every sign-in or every username a guesser tries. Each process
 * sweeps; two sweeping at once only delete the same rows.
 */
export class AccountSweeper {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: AccountSettings,
    logError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.sweep().catch(logError), EVERY_MS);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    const db = new PreparedStatements(this.orm.em.fork(), new StatementCounter());
    const sessions = new SessionRepository(db);
    const throttle = new AuthThrottleRepository(db);
    while ((await sessions.sweep(BATCH)) === BATCH);
    while ((await throttle.sweep(this.settings.maxLockSeconds, BATCH)) === BATCH);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
