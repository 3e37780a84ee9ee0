import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import { isDatabaseUnavailable, isDuplicateKeyError } from '../database';
import { HttpError } from '../errors';
import { requestSummary } from './request-logging';

/** body-parser's error types, mapped to the codes of docs/contract.md §3.2. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than the limit'],
  'entity.parse.failed': [400, 'MALFORMED_JSON', 'Request body is not valid JSON'],
  'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body encoding is not supported'],
  'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body charset is not supported'],
  'charset.invalid': [400, 'MALFORMED_JSON', 'Request body is not valid UTF-8'],
  'request.aborted': [400, 'REQUEST_ABORTED', 'Request body was not received completely'],
  'request.size.invalid': [400, 'BAD_REQUEST', 'Request body size does not match Content-Length'],
  'parameters.too.many': [413, 'PAYLOAD_TOO_LARGE', 'Too many parameters'],
};

function errorProperty(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/**
 * Turns anything thrown into the error shape of docs/contract.md §3.2. Only HttpErrors speak; the
 * rest become generic.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const bodyErrorType = errorProperty(error, 'type');
  if (typeof bodyErrorType === 'string' && BODY_ERRORS[bodyErrorType]) {
    const [status, code, message] = BODY_ERRORS[bodyErrorType];
    return new HttpError(status, code, message);
  }
  if (isDatabaseUnavailable(error)) {
    return new HttpError(
      503,
      'DATABASE_UNAVAILABLE',
      'The database is not reachable; try again shortly',
      undefined,
      {
        'Retry-After': '5',
      },
    );
  }
  if (isDuplicateKeyError(error))
    return new HttpError(409, 'CONFLICT', 'A record with the same key already exists');
  const name = errorProperty(error, 'name');
  if (name === 'CastError' || name === 'ValidationError') {
    return new HttpError(400, 'VALIDATION_FAILED', 'Request contains an invalid value');
  }
  // Other 4xx errors raised by Express itself, e.g. an undecodable path parameter.
  const status = errorProperty(error, 'status') ?? errorProperty(error, 'statusCode');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'BAD_REQUEST', 'The request could not be understood');
  }
  return new HttpError(500, 'INTERNAL', 'Internal server error');
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.status >= 500)
      logger.error({ err: error, req: requestSummary(req, res) }, 'request failed');
    for (const [header, value] of Object.entries(httpError.headers)) res.setHeader(header, value);
    res.status(httpError.status).json(httpError.toBody());
  };
}
