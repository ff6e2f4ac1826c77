import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { requestIdOf, type Logger } from './logger';

/**
 * JSON bodies up to `limit` (larger: 413). A POST that is not JSON (a form, `text/plain`: what a page on
 * another site can send without a preflight) is given an empty body, so that Apollo's CSRF prevention
 * refuses it with 400 rather than the integration failing on a missing body.
 */
export function jsonBody(limit: number): RequestHandler[] {
  return [
    express.json({ limit }),
    (req, _res, next) => {
      req.body ??= {};
      next();
    },
  ];
}

/**
 * Errors raised before GraphQL runs (body parsing, limits), as GraphQL-shaped JSON: the client's own at
 * their status (413, 400, 415) with BAD_USER_INPUT, anything else logged and a generic 500.
 */
export function httpErrorHandler(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (status >= 400 && status < 500 && error.expose) {
      const message = status === 413 ? `The request body is larger than the limit of ${maxBodyBytes} bytes` : String(error.message);
      refuseRequest(logger, req, res, status, message, error.type);
      return;
    }
    failRequest(logger, req, res, error);
  };
}

/** Logs a fault met before or around GraphQL and answers a generic 500 (the response may have begun). */
export function failRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  logger.error({ reqId: requestIdOf(req), err: error }, 'Unexpected error');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendErrors(res, 500, [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
}

/** Answers a request the client got wrong (`status` 4xx) before any GraphQL ran, and logs it at info level. */
export function refuseRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, status: number, message: string, type?: string): void {
  logger.info({ reqId: requestIdOf(req), status, reason: type }, 'Request refused');
  sendErrors(res, status, [{ message, extensions: { code: 'BAD_USER_INPUT', reason: httpReason(status) } }]);
}

function sendErrors(res: ServerResponse, status: number, errors: unknown[]): void {
  const body = JSON.stringify({ errors });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

function httpReason(status: number): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'BAD_REQUEST';
}
