/**
 * The host site's first-party storage, when it lets us use it. Blocked storage (privacy modes,
 * sandboxed frames, a full quota) must never break capture: callers fall back to memory.
 *
 * In consent mode (`data-consent`) nothing is written until the visitor consents: writes wait
 * in memory (reads see them) and are made at once when consent comes. The loader, the chat and
 * the settings check are separate scripts, each with its own copy of this module: they share
 * the waiting writes through one object in the page's global symbol registry.
 */
const gate = ((globalThis as Record<symbol, unknown>)[Symbol.for('converge-leads.storage')] ??= {
  waiting: undefined,
}) as { waiting: Map<string, string> | undefined };

/** Consent mode: writes wait in memory from now on. */
export function holdWrites(): void {
  gate.waiting ??= new Map();
}

/** Consent given: the waiting writes are made, and later ones at once. */
export function releaseWrites(): void {
  const held = gate.waiting;
  gate.waiting = undefined;
  for (const [key, value] of held ?? []) writeItem(key, value);
}

export function readItem(key: string): string | null {
  const held = gate.waiting?.get(key);
  if (held !== undefined) return held;
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeItem(key: string, value: string): boolean {
  if (gate.waiting) {
    gate.waiting.set(key, value);
    return true;
  }
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}
