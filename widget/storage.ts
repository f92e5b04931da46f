/**
 * The host site's first-party storage, when it lets us use it. Blocked storage (privacy modes,
 * sandboxed frames, a full quota) must never break capture: callers fall back to memory.
 */
export function readItem(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeItem(key: string, value: string): boolean {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}
