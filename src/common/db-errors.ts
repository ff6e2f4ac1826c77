import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { NAME_INDEXES } from '../timelines/timeline-names';
import { nameTaken, notFound } from './errors';

/**
 * The database errors the API answers with a client error, recognised through MikroORM's exception classes
 * (every statement's error is converted by the driver, see `PreparedStatements`). Anything else is rethrown.
 */

/** A write that refers to a timeline deleted since it was checked: for the caller it does not exist. */
export function timelineGoneIsNotFound(error: unknown): never {
  if (error instanceof ForeignKeyConstraintViolationException) throw notFound('Timeline');
  throw error;
}

/**
 * A row this unit of work inserts that a concurrent one inserted first (a unique violation): undefined, for the
 * caller to read it anew (its snapshot did not see it).
 */
export function insertedMeanwhile(error: unknown): undefined {
  if (error instanceof UniqueConstraintViolationException) return undefined;
  throw error;
}

/** A clash on a timeline name index is NAME_TAKEN (SPEC section 3); the driver's error names the index. */
export function nameClashIsTaken(error: unknown, formattedName: string): never {
  if (error instanceof UniqueConstraintViolationException && NAME_INDEXES.has((error as { constraint?: string }).constraint ?? '')) {
    throw nameTaken(formattedName);
  }
  throw error;
}

/** `pg` and PostgreSQL codes for a database that is down, restarting or out of connections. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);

/** Down, restarting, unreachable or out of connections: worth retrying, unlike a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // `pg` reports a lost connection, and its pool a wait for one that timed out, without a code (knex may
  // prefix the statement: "BEGIN; - Connection terminated ...").
  return (
    error.name === 'KnexTimeoutError' ||
    /Connection terminated|Connection ended unexpectedly|connection error and is not queryable|timeout exceeded when trying to connect/.test(error.message)
  );
}
