import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';

/**
 * The pool requests run their SQL on (see `Sql`): `pg`'s own, with exactly the ORM's connection settings
 * (address, session options such as the time zone and statement timeout, type parsers that keep
 * timestamps as PostgreSQL wrote them) and the ORM pool's size and acquire timeout. Requests use no entity
 * manager, and `pg.Pool` costs less per statement than the query builder's pool (measured in the README's
 * Performance section); the ORM keeps its own pool for migrations and readiness checks.
 * A pooled connection that fails while idle is dropped and reported to `onIdleError`.
 */
export function createRequestPool(orm: MikroORM, onIdleError: (error: Error) => void): pg.Pool {
  const connection: pg.PoolConfig = {
    ...(orm.em.getConnection().getConnectionOptions() as pg.PoolConfig),
    ...(orm.config.get('driverOptions') as { connection?: pg.PoolConfig }).connection,
  };
  const { max, acquireTimeoutMillis } = orm.config.get('pool') as { max?: number; acquireTimeoutMillis?: number };
  const pool = new pg.Pool({
    ...connection,
    max: max ?? 10,
    // pg.Pool has one timeout for getting a connection, whether it waits for a free one or opens one.
    ...(acquireTimeoutMillis !== undefined && { connectionTimeoutMillis: Math.min(acquireTimeoutMillis, connection.connectionTimeoutMillis ?? Infinity) }),
  });
  pool.on('error', onIdleError);
  return pool;
}
