/** The error body of docs/contract.md §3.2: `{"error": {"code", "message", "details"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error that maps to an HTTP response; anything else thrown becomes a 500 with no internals. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export interface FieldProblem {
  location: 'body' | 'query' | 'params' | 'headers' | 'cookies';
  path: string;
  message: string;
}

export const badRequest = (message: string, details?: FieldProblem[], code = 'VALIDATION_FAILED') =>
  new HttpError(400, code, message, details);
export const unauthorized = (message = 'Authentication required', code = 'UNAUTHORIZED') =>
  new HttpError(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message = 'You are not allowed to do this', code = 'FORBIDDEN') =>
  new HttpError(403, code, message);
export const notFound = (message = 'Not found', code = 'NOT_FOUND') => new HttpError(404, code, message);
export const conflict = (message: string, code = 'CONFLICT') => new HttpError(409, code, message);
export const unprocessable = (message: string, code: string, details?: unknown) =>
  new HttpError(422, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests, try again later') =>
  new HttpError(
    429,
    'RATE_LIMITED',
    message,
    { retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds) },
  );
export const serviceUnavailable = (message: string, code = 'SERVICE_UNAVAILABLE') =>
  new HttpError(503, code, message, undefined, { 'Retry-After': '5' });
