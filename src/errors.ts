/**
 * Errors the user can act on. Each carries a stable `code` (users and tests match on the
 * code, which survives a worker boundary where class identity does not) and the exit code
 * of the contract in DESIGN.md.
 */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'E_USAGE'
  | 'E_SCENARIO'
  | 'E_ENVIRONMENT'
  | 'E_REMOTE_TARGET'
  | 'E_LISTEN';

const exitCodes: Record<ErrorCode, ExitCode> = {
  E_USAGE: ExitCode.usage,
  E_SCENARIO: ExitCode.usage,
  E_REMOTE_TARGET: ExitCode.usage,
  E_ENVIRONMENT: ExitCode.environment,
  E_LISTEN: ExitCode.environment,
};

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
    this.exitCode = exitCodes[code];
  }
}

export function isHarnessError(err: unknown): err is HarnessError {
  return err instanceof HarnessError;
}
