/**
 * The one shape a failure takes when it crosses a boundary — out of a worker, out of the relay
 * client — `{ code, message }`: plain data, so it survives postMessage whole (an Error loses
 * its fields there). The message is for the log; what the user reads is the app's to say, from
 * the code (see the app's `handleError`).
 */
import type { RelayErrorCode } from '../core/relay-protocol.ts';

export type FailureCode =
  | RelayErrorCode
  /** The relay could not be reached at all. */
  | 'network'
  /** The browser's storage for this site is full. */
  | 'storage_full'
  /** Any other failure to read or write this browser's storage. */
  | 'storage'
  /** The workspace is still loading in this tab. */
  | 'not_loaded'
  /** A message to a visitor who has not chatted (no mailbox to write to), or an empty one. */
  | 'not_reachable'
  | 'empty_message'
  /** The team snapshot could not be opened (wrong team secret, damage). */
  | 'snapshot_unreadable'
  /** A backup file: a passphrase too short, a signing key that cannot leave this browser, a
   * file that is no backup, a wrong passphrase, a damaged file, a workspace already here. */
  | 'backup_passphrase'
  | 'backup_key'
  | 'backup_not_backup'
  | 'backup_wrong_passphrase'
  | 'backup_damaged'
  | 'backup_here'
  | 'internal';

export interface Failure {
  code: FailureCode;
  message: string;
}

/** An error that knows its code; turned into a plain Failure at a boundary. */
export class CodedError extends Error {
  override name = 'CodedError';
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

export function isFailure(value: unknown): value is Failure {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Failure).code === 'string' &&
    typeof (value as Failure).message === 'string'
  );
}

/** Whatever was thrown, as a Failure. */
export function toFailure(err: unknown): Failure {
  if (err instanceof CodedError) return { code: err.code, message: err.message };
  if (!(err instanceof Error)) {
    return isFailure(err)
      ? { code: err.code, message: err.message }
      : { code: 'internal', message: String(err) };
  }
  // Dexie wraps IndexedDB's errors, keeping their names (and the original as `inner`).
  const inner = (err as Error & { inner?: unknown }).inner;
  if (
    err.name === 'QuotaExceededError' ||
    (inner instanceof Error && inner.name === 'QuotaExceededError')
  ) {
    return { code: 'storage_full', message: err.message };
  }
  if (STORAGE_ERRORS.has(err.name)) return { code: 'storage', message: err.message };
  // fetch rejects with a TypeError when the server cannot be reached.
  if (err.name === 'TypeError' && /fetch|network/i.test(err.message)) {
    return { code: 'network', message: err.message };
  }
  return { code: 'internal', message: err.message };
}

/** IndexedDB's and Dexie's names for failures of storage. */
const STORAGE_ERRORS = new Set([
  'DatabaseClosedError',
  'OpenFailedError',
  'AbortError',
  'InvalidStateError',
  'UnknownError',
  'DataError',
  'ConstraintError',
  'TransactionInactiveError',
]);
