/** An error the client caused or can act on; rendered in the upstream shape {status, error, response: {message}}. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly response: unknown, readonly headers: Record<string, string> = {}) {
    super(typeof response === 'string' ? response : JSON.stringify(response));
  }
}

const reason: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable' };
export const statusText = (status: number): string => reason[status] ?? 'Error';

export const badRequest = (...messages: unknown[]) => new ApiError(400, messages);
export const notFound = (...messages: unknown[]) => new ApiError(404, messages);
export const forbidden = (...messages: unknown[]) => new ApiError(403, messages);
export const unauthorized = () => new ApiError(401, 'Unauthorized');
export const instanceMissing = (name: string) => notFound(`The "${name}" instance does not exist`);
/** The server cannot take this now (database unreachable, queue full): retry after `retryAfterMs`. */
export const unavailable = (message: string, retryAfterMs: number) => new ApiError(503, [message], { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
