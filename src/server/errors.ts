import type { GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { ApiError } from '../common/errors';

/** Apollo's own codes for a malformed request: the client's fault, reported as bad input. */
const CLIENT_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.BAD_REQUEST,
]);

export type ErrorLogger = (error: unknown) => void;

/**
 * What reaches clients: our own errors as thrown, request errors as BAD_USER_INPUT, anything else (a
 * database error, a bug) logged once and replaced by a generic INTERNAL_SERVER_ERROR, so that no SQL,
 * constraint name or stack trace leaks.
 */
export function formatError(log: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const ours = apiErrorIn(original);
    if (ours) {
      return { message: ours.message, locations: formatted.locations, path: formatted.path, extensions: publicExtensions(ours) };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT', reason: code } };
    }
    log(original);
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Apollo wraps errors thrown while building the context ("Context creation failed: ..."). */
function apiErrorIn(error: unknown): ApiError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { originalError?: unknown }).originalError, depth++) {
    if (current instanceof ApiError) return current;
  }
  return undefined;
}

function publicExtensions(error: ApiError): Record<string, unknown> {
  const { http: _http, ...extensions } = error.extensions;
  return extensions;
}
