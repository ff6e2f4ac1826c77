import { ConnectionException, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import type { StatementCounter } from './statement-counter';

/** A parameterised statement with a stable name: `pg` prepares it once per connection (docs/database.md). */
export interface Statement {
  name: string;
  text: string;
  /** Writes run on the primary even outside a transaction; reads may go to a replica. */
  writes: boolean;
}

/**
 * A `timestamp` value as PostgreSQL writes it, in UTC (`2026-01-31 12:00:00.123456`): the ORM's connection
 * returns dates as text, keeping microseconds for cursors.
 */
export type PgTimestamp = string;

export function statement(name: string, text: string): Statement {
  return { name, text, writes: false };
}

export function writeStatement(name: string, text: string): Statement {
  return { name, text, writes: true };
}

/**
 * Runs hand-written hot statements as named prepared statements through an operation's EntityManager fork:
 * on the fork's transaction inside `transaction`, otherwise on the ORM's own pool (MikroORM's own queries
 * inline their parameters, so PostgreSQL would plan each one anew). Counts what it runs on `counter`, which
 * the fork's logger also feeds with the queries the ORM issues itself.
 */
export class PreparedStatements {
  constructor(
    readonly em: EntityManager,
    private readonly counter: StatementCounter,
  ) {}

  async rows<R>(stmt: Statement, values: readonly unknown[] = []): Promise<R[]> {
    this.counter.count++;
    const trx = this.em.getTransactionContext<Knex.Transaction>();
    // knex ends a transaction whose connection failed; what follows must say the connection was lost.
    if (trx?.isCompleted()) throw lostConnection();
    const knex = trx ?? this.em.getConnection(stmt.writes ? 'write' : 'read').getKnex();
    try {
      // No `?` placeholders: knex passes `$n` through, and `values` and `name` straight to `pg`'s query config.
      const result = await knex.raw(stmt.text).options({ name: stmt.name, values });
      return (result as { rows: R[] }).rows;
    } catch (error) {
      throw this.em.getDriver().convertException(error as Error);
    }
  }

  async row<R>(stmt: Statement, values: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(stmt, values))[0];
  }

  /**
   * `work` as one unit of work on a fork of its own: its statements and its flush commit together or not at
   * all. Explicit `begin`/`commit` (which flushes) rather than `em.transactional`: measured here on ingestion's
   * two statements, 0.65 ms of CPU per write against 1.0 ms (docs/database.md, "Units of work").
   */
  async transaction<T>(work: (db: PreparedStatements) => Promise<T>): Promise<T> {
    if (this.em.isInTransaction()) throw new Error('Transactions do not nest');
    const em = this.em.fork({ clear: false });
    await em.begin();
    try {
      const result = await work(new PreparedStatements(em, this.counter));
      await em.commit();
      return result;
    } catch (error) {
      // A connection that failed cannot roll back either: the caller must see why the work failed, not that.
      await em.rollback().catch(() => undefined);
      throw error;
    }
  }
}

/** SQLSTATE 08006, connection failure: a database outage, not a bug. */
function lostConnection(): ConnectionException {
  return Object.assign(new ConnectionException(new Error("The transaction's connection was lost")), { code: '08006' });
}
