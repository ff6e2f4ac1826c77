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

/** A clash on a timeline name index is NAME_TAKEN (SPEC section 3); the driver's error names the index. */
export function nameClashIsTaken(error: unknown, formattedName: string): never {
  if (error instanceof UniqueConstraintViolationException && NAME_INDEXES.has((error as { constraint?: string }).constraint ?? '')) {
    throw nameTaken(formattedName);
  }
  throw error;
}
