import type { EntityManager } from '@mikro-orm/postgresql';
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
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Runs hand-written SQL on the ORM's own connection (inside the fork's transaction when there is one),
 * as named prepared statements: `pg` re-plans every unnamed query, which costs the hot paths dearly.
 * Counts the statements it runs, so tests and benchmarks can assert that nothing is N+1.
 */
export class Sql {
  statementCount = 0;

  constructor(readonly em: EntityManager) {}

  async rows<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R[]> {
    const knex = this.em.getTransactionContext() ?? this.em.getConnection().getKnex();
    const client = (knex as unknown as { client: KnexClient }).client;
    const connection = await client.acquireConnection();
    this.statementCount++;
    try {
      const result = await connection.query<R>({ name: stmt.name, text: stmt.text, values });
      return result.rows;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  async row<R extends QueryResultRow>(stmt: Statement, values: unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(stmt, values))[0];
  }

  /** Runs `work` in one transaction on a fork of this manager; everything it writes commits or none of it. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.em.transactional(async (em) => {
      const inner = new Sql(em as EntityManager);
      try {
        return await work(inner);
      } finally {
        this.statementCount += inner.statementCount;
      }
    });
  }
}
