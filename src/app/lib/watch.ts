/**
 * Live queries that stay cheap under a stream of writes. Dexie's liveQuery re-runs a query on
 * every matching write; while the team worker projects thousands of leads that is a re-query (and a
 * re-render) per batch, and counting over a large table is not free. `watch` runs the query at
 * once, then at most every `intervalMs` while the database keeps changing — writes from the
 * team worker and other tabs included (Dexie broadcasts them as `storagemutated`).
 */
import Dexie from 'dexie';

export function watch<T>(
  db: Dexie,
  query: () => Promise<T>,
  next: (value: T) => void,
  fail: (err: unknown) => void,
  intervalMs = 250,
  /** Only writes to these tables count (a write elsewhere would spend the interval). */
  tables?: string[],
): () => void {
  let stopped = false;
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRun = 0;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    lastRun = performance.now();
    try {
      const value = await query();
      if (!stopped) next(value);
    } catch (err) {
      if (!stopped) fail(err);
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    if (timer !== undefined || stopped) return;
    const wait = Math.max(0, lastRun + intervalMs - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, wait);
  };
  const prefixes = tables ? tables.map((t) => `idb://${db.name}/${t}/`) : [`idb://${db.name}/`];
  const onMutated = (parts: Record<string, unknown>): void => {
    if (Object.keys(parts).some((key) => prefixes.some((p) => key.startsWith(p)))) schedule();
  };
  Dexie.on('storagemutated', onMutated);
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    Dexie.on('storagemutated').unsubscribe(onMutated);
  };
}
