import { ConnectionException, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import { replicaCannotServe, ReplicaRoutingDriver } from './replicas';
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
 *
 * Reads outside a unit of work go to the EntityManager's `read` connection (a replica, when there are any),
 * until `readFromPrimary()`: a mutation's or subscription's operation calls it before it runs, and a
 * committed unit of work (or a write outside one) calls it, so an operation reads its own writes. A read whose replica is gone is
 * run again on the primary, and that replica serves no more reads until the ReplicaMonitor sees it back.
 */
export class PreparedStatements {
  private primaryOnly = false;
  private fork: EntityManager | undefined;

  constructor(
    em: EntityManager,
    readonly counter: StatementCounter,
  ) {
    this.fork = em;
  }

  /** The operation's EntityManager fork. */
  get em(): EntityManager {
    if (!this.fork) throw new Error("This operation's statements are done: its EntityManager fork was released");
    return this.fork;
  }

  /**
   * Lets the fork go, for an operation that lives on once its statements are done: a subscription, whose
   * deliveries read through the event's own resolution (`LiveResolver`). An idle subscriber then keeps no fork
   * (about 4 KB each).
   */
  release(): void {
    this.fork = undefined;
  }

  /** From now on every statement of this operation goes to the primary. */
  readFromPrimary(): void {
    this.primaryOnly = true;
  }

  /** The same operation's statements, every one of them on the primary. */
  onPrimary(): PreparedStatements {
    const primary = new PreparedStatements(this.em, this.counter);
    primary.readFromPrimary();
    return primary;
  }

  async rows<R>(stmt: Statement, values: readonly unknown[] = []): Promise<R[]> {
    this.counter.count++;
    const trx = this.em.getTransactionContext<Knex.Transaction>();
    // knex ends a transaction whose connection failed; what follows must say the connection was lost.
    if (trx?.isCompleted()) throw lostConnection();
    if (trx) return this.run(trx, stmt, values);
    const connection = this.em.getConnection(stmt.writes || this.primaryOnly ? 'write' : 'read');
    try {
      const rows = await this.run<R>(connection.getKnex(), stmt, values);
      // A write on its own is a committed unit of work too: what the operation reads next must see it.
      if (stmt.writes) this.readFromPrimary();
      return rows;
    } catch (error) {
      const driver = this.em.getDriver();
      if (!(driver instanceof ReplicaRoutingDriver && driver.isReplica(connection) && replicaCannotServe(error))) throw error;
      driver.replicaFailed(connection, error as Error);
      return this.run(this.em.getConnection('write').getKnex(), stmt, values);
    }
  }

  private async run<R>(knex: Knex, stmt: Statement, values: readonly unknown[]): Promise<R[]> {
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
   * all. Explicit `begin`/`commit` rather than `em.transactional`: measured here on ingestion's two statements,
   * 0.65 ms of CPU per write against 1.0 ms (docs/database.md, "Units of work").
   */
  async transaction<T>(work: (db: PreparedStatements) => Promise<T>): Promise<T> {
    if (this.em.isInTransaction()) throw new Error('Transactions do not nest');
    const em = this.em.fork({ clear: false });
    await em.begin();
    const trx = em.getTransactionContext<Knex.Transaction>();
    try {
      const result = await work(new PreparedStatements(em, this.counter));
      await commit(em);
      this.readFromPrimary();
      return result;
    } catch (error) {
      // A connection that failed cannot roll back either: the caller must see why the work failed, not that.
      await em.rollback().catch(() => undefined);
      // knex ends a transaction whose connection failed, and the flush of its entities then reports only that
      // the transaction is complete: that is a lost connection too.
      throw trx?.isCompleted() && KNEX_COMPLETED.test((error as Error).message) ? lostConnection() : error;
    }
  }
}

/**
 * Commits `em`'s transaction, flushing its entities first if it has any. A unit of work of prepared statements
 * alone (ingestion, sharing, edits) has nothing to flush and skips the flush: MikroORM runs every flush inside an
 * `AsyncLocalStorage`, and on Node 20 the first one turns on promise hooks for the life of the process, which then
 * cost every request about 25 µs of CPU (docs/database.md, "Units of work").
 */
async function commit(em: EntityManager): Promise<void> {
  const uow = em.getUnitOfWork();
  if (uow.getIdentityMap().values().length > 0 || uow.getPersistStack().size > 0 || uow.getRemoveStack().size > 0) return em.commit();
  await em.getConnection('write').commit(em.getTransactionContext<Knex.Transaction>()!);
  em.resetTransactionContext();
}

/** What knex says of a statement sent on a transaction it has ended. */
const KNEX_COMPLETED = /Transaction query already complete/;

/** SQLSTATE 08006, connection failure: a database outage, not a bug. */
function lostConnection(): ConnectionException {
  return Object.assign(new ConnectionException(new Error("The transaction's connection was lost")), { code: '08006' });
}
