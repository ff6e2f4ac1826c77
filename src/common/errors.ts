import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values of the API (SPEC section 4). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'NAME_TAKEN'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR';

export class ApiError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export const badInput = (message: string, extensions?: Record<string, unknown>) =>
  new ApiError('BAD_USER_INPUT', message, extensions);
export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} not found`);
export const unauthenticated = (message = 'Sign in to do this') => new ApiError('UNAUTHENTICATED', message);
/** A credential that fails before the operation runs: the whole request is refused with HTTP 401. */
export const badCredentials = (message: string) => new ApiError('UNAUTHENTICATED', message, { http: { status: 401 } });
export const forbidden = (message: string) => new ApiError('FORBIDDEN', message);
export const nameTaken = (formattedName: string) =>
  new ApiError('NAME_TAKEN', `The name ${formattedName} is already taken`);
/** A throttled sign-in, sign-up or password change (SPEC section 15): refused before any password is hashed. */
export const tooManyRequests = (retryAfter: number) =>
  new ApiError('TOO_MANY_REQUESTS', `Too many attempts; try again in ${retryAfter} seconds`, { retryAfter });
