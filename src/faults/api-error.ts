/** An API error with its HTTP status, worded as Toxiproxy words it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  static badBody(detail: string): ApiError {
    return new ApiError(`bad request body: ${detail}`, 400);
  }

  static missingField(field: string): ApiError {
    return new ApiError(`missing required field: ${field}`, 400);
  }

  static proxyNotFound(): ApiError {
    return new ApiError('proxy not found', 404);
  }

  static proxyExists(): ApiError {
    return new ApiError('proxy already exists', 409);
  }

  static invalidStream(): ApiError {
    return new ApiError('stream was invalid, can be either upstream or downstream', 400);
  }

  static invalidToxicType(): ApiError {
    return new ApiError('invalid toxic type', 400);
  }

  static toxicExists(): ApiError {
    return new ApiError('toxic already exists', 409);
  }

  static toxicNotFound(): ApiError {
    return new ApiError('toxic not found', 404);
  }
}

/** Errors that are not API errors become 500s with their own text, as in Go. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(err instanceof Error ? err.message : String(err), 500);
}
