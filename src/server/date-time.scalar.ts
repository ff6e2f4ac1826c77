import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../common/errors';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw badInput(`DateTime must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z`);
  }
  return date;
}

/** Dates come out of the database as UTC text (`PgTimestamp`) and go out as ISO 8601 in UTC. */
function serializeDateTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
