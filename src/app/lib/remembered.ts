/** A small value kept in localStorage (per browser, so per member), with a fallback. */
export function remembered<T>(key: string, fallback: T): { value: T; save: (value: T) => void } {
  let value = fallback;
  try {
    const stored = localStorage.getItem(key);
    if (stored) value = { ...fallback, ...(JSON.parse(stored) as Partial<T>) };
  } catch {
    // Unreadable or blocked storage: start from the fallback.
  }
  return {
    value,
    save(next: T) {
      try {
        localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // Storage full or blocked: the choice lasts this session only.
      }
    },
  };
}
