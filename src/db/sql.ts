import type { Knex } from '@mikro-orm/postgresql';
import type { QueryResultRow } from 'pg';

/** A parameterised statement with a stable name: the `pg` driver prepares it once per connection. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * A `timestamp` value as PostgreSQL writes it, in UTC (`2026-01-31 12:00:00.123456`): rows are read
 * without conversion (the ORM's connection returns dates as text), keeping microseconds for cursors.
 */
export type PgTimestamp = string;

export function statement(name: string, text: string): Statement {
  return { name, text };
}

interface PgConnection {
  query<R extends QueryResultRow>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
  query(text: string): Promise<unknown>;
}

/** The part of the ORM's knex client that lends its pooled `pg` connections. */
interface ConnectionPool {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Runs hand-written SQL on the ORM's own connection pool, as named prepared statements: `pg` re-plans
 * every unnamed query, which costs the hot paths dearly. Nothing here needs an entity manager (no
 * identity map, no unit of work), so requests neither fork one nor go through knex's query builder.
 * Counts the statements it runs, so tests and benchmarks can assert that nothing is N+1.
 */
export class Sql {
  statementCount = 0;

  private constructor(
    private readonly pool: ConnectionPool,
    /** Set inside `transaction`: every statement runs on it. */
    private readonly connection?: PgConnection,
  ) {}

  /** Statements on the pool of the ORM's knex (`em.getConnection().getKnex()`), a connection each. */
  static onPool(knex: Knex): Sql {
    return new Sql((knex as unknown as { client: ConnectionPool }).client);
  }

  async rows<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R[]> {
    this.statementCount++;
    const query = { name: stmt.name, text: stmt.text, values };
    if (this.connection) return (await this.connection.query<R>(query)).rows;
    const connection = await this.pool.acquireConnection();
    try {
      return (await connection.query<R>(query)).rows;
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }

  async row<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(stmt, values))[0];
  }

  /**
   * Runs `work` in one transaction on one pooled connection; everything it writes commits or none of it.
   * A single statement needs none: PostgreSQL runs each atomically.
   */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.connection) throw new Error('Transactions do not nest');
    const connection = await this.pool.acquireConnection();
    const inner = new Sql(this.pool, connection);
    try {
      await connection.query('begin');
      try {
        const result = await work(inner);
        await connection.query('commit');
        return result;
      } catch (error) {
        // A connection that cannot roll back is broken: the pool discards it (knex watches its errors).
        await connection.query('rollback').catch(() => undefined);
        throw error;
      }
    } finally {
      this.statementCount += inner.statementCount;
      await this.pool.releaseConnection(connection);
    }
  }
}
