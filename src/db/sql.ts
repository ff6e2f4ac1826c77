import type { Pool, PoolClient, QueryResultRow } from 'pg';

/** A parameterised statement with a stable name: the `pg` driver prepares it once per connection. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * A `timestamp` value as PostgreSQL writes it, in UTC (`2026-01-31 12:00:00.123456`): rows are read
 * without conversion (the ORM's connection settings return dates as text), keeping microseconds for cursors.
 */
export type PgTimestamp = string;

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/**
 * Runs hand-written SQL on the request pool (see `createRequestPool`), as named prepared statements: `pg`
 * re-plans every unnamed query, which costs the hot paths dearly. Nothing here needs an entity manager (no
 * identity map, no unit of work), so requests neither fork one nor go through the query builder.
 * Counts the statements it runs, so tests and benchmarks can assert that nothing is N+1.
 */
export class Sql {
  statementCount = 0;

  private constructor(
    private readonly pool: Pool,
    /** Set inside `transaction`: every statement runs on it. */
    private readonly client?: PoolClient,
  ) {}

  /** Statements on `pool`, a pooled connection each. */
  static onPool(pool: Pool): Sql {
    return new Sql(pool);
  }

  async rows<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R[]> {
    this.statementCount++;
    return (await (this.client ?? this.pool).query<R>({ name: stmt.name, text: stmt.text, values })).rows;
  }

  async row<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(stmt, values))[0];
  }

  /**
   * Runs `work` in one transaction on one pooled connection; everything it writes commits or none of it.
   * A single statement needs none: PostgreSQL runs each atomically.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.client) throw new Error('Transactions do not nest');
    const client = await this.pool.connect();
    const inner = new Sql(this.pool, client);
    let broken: Error | undefined;
    // The pool listens for errors on idle connections only; a lent one that fails must not go unheard.
    const noteBroken = (error: Error) => (broken = error);
    client.on('error', noteBroken);
    try {
      await client.query('begin');
      try {
        const result = await work(inner);
        await client.query('commit');
        return result;
      } catch (error) {
        // A connection that cannot roll back is broken: the pool discards it instead of lending it again.
        await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
    } finally {
      this.statementCount += inner.statementCount;
      client.removeListener('error', noteBroken);
      client.release(broken);
    }
  }
}
