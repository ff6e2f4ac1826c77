import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { isDatabaseUnavailable } from '../common/db-errors';
import { ApiError } from '../common/errors';

/** Apollo's own codes for a malformed request: the client's fault, reported as bad input. */
const CLIENT_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_REQUEST,
]);

const UNAVAILABLE_MESSAGE = 'The database is unavailable; try again shortly';

/**
 * What reaches clients: our own errors as thrown, request errors as BAD_USER_INPUT, anything else (a
 * database error, a bug) replaced by a generic INTERNAL_SERVER_ERROR, so that no SQL, constraint name or
 * stack trace leaks. Logging is the request logger's (logger.ts), which knows the request id.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const ours = apiErrorIn(unwrapResolverError(error));
  if (ours) {
    return { message: ours.message, locations: formatted.locations, path: formatted.path, extensions: publicExtensions(ours) };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT', reason: code } };
  }
  const message = isDatabaseUnavailable(rootCause(error)) ? UNAVAILABLE_MESSAGE : 'Internal server error';
  return { message, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Apollo wraps errors thrown while building the context ("Context creation failed: ..."). */
function apiErrorIn(error: unknown): ApiError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { originalError?: unknown }).originalError, depth++) {
    if (current instanceof ApiError) return current;
  }
  return undefined;
}

/** An error the client caused or the API reports on purpose; anything else is a fault to log. */
export function isExpected(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current instanceof GraphQLError ? current.originalError : undefined) {
    if (current instanceof ApiError) return true;
    const code = current instanceof GraphQLError ? current.extensions?.code : undefined;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) return true;
  }
  return false;
}

/** The error a resolver (or the driver under it) threw, beneath GraphQL's wrappers. */
export function rootCause(error: unknown): unknown {
  let current = unwrapResolverError(error);
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

function publicExtensions(error: ApiError): Record<string, unknown> {
  const { http: _http, ...extensions } = error.extensions;
  return extensions;
}
