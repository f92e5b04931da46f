/**
 * Client JSON (request bodies, socket messages) checked with valibot, one way on every route and
 * socket. Each message in a schema names the error code it answers with (`says`); `check` turns
 * the first problem into that code and a message saying where it was (`events[3].id must …`).
 */
import * as v from 'valibot';
import type { RelayErrorCode } from '../src/core/relay-protocol.ts';

export type Checked<T> =
  { ok: true; value: T } | { ok: false; error: RelayErrorCode; message: string };

// valibot keeps one string per problem: the code travels at its front, up to this separator.
const SEPARATOR = ': ';

/** A schema message: the error code a problem answers with, and what to tell the client. */
export function says(error: RelayErrorCode, text: string): string {
  return `${error}${SEPARATOR}${text}`;
}

const FIRST = { abortEarly: true } as const;

/**
 * An object schema whose missing fields are refused the way each field's own schema refuses
 * `undefined`, with its code (valibot would report them with the object's message). `message`
 * is for a value that is not an object; inside a variant, which checked that already, none.
 */
export function shape<const E extends v.ObjectEntries>(entries: E, message?: string) {
  return v.object(entries, (issue) => {
    const key = issue.path?.[0]?.key;
    const field = typeof key === 'string' && Object.hasOwn(entries, key) ? entries[key] : undefined;
    const missing = field && v.safeParse(field, undefined, FIRST).issues?.[0].message;
    return missing ?? message ?? 'must be an object';
  });
}

/**
 * Checks `value` against `schema`. A refusal names where the problem is, or `subject` ("the
 * body") when it is the value itself; `otherwise` is the code of an untagged message.
 */
export function check<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  subject: string,
  otherwise: RelayErrorCode,
): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, value, FIRST);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const at = issue.message.indexOf(SEPARATOR);
  const tagged = at > 0 && !issue.message.slice(0, at).includes(' ');
  let where = '';
  for (const item of issue.path ?? []) {
    const key = String(item.key);
    where += typeof item.key === 'number' ? `[${key}]` : where ? `.${key}` : key;
  }
  return {
    ok: false,
    error: tagged ? (issue.message.slice(0, at) as RelayErrorCode) : otherwise,
    message: `${where || subject} ${tagged ? issue.message.slice(at + SEPARATOR.length) : issue.message}`,
  };
}
