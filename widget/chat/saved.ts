/**
 * What the chat keeps in the visitor's browser: the key pair (IndexedDB: a CryptoKey survives
 * there without ever being extractable), and the conversation, the mailbox's capability and
 * cursor (the site's storage). Blocked storage leaves the chat working for this page's life.
 */
import { generateVisitorKeys } from '../../src/core/chat-seal.ts';
import { randomId } from '../../src/core/bytes.ts';
import { readItem, writeItem } from '../storage.ts';

export interface Line {
  id: string;
  from: 'me' | 'team';
  text: string;
  at: number;
  author?: string;
  auto?: boolean;
  /** A visitor's message: until the relay has it, 'sending' ('retrying' after a failed try). */
  state?: 'sending' | 'retrying' | 'sent';
}

export interface Saved {
  capability: string;
  name?: string;
  /** Last mailbox entry read. */
  cursor: number;
  /** Replies newer than this were not yet seen with the panel open. */
  readAt: number;
  lines: Line[];
}

const MAX_LINES = 200;

/** The conversation as stored; else `known` (storage blocked: this page's own), else a new one. */
export function loadSaved(key: string, known?: Saved): Saved {
  try {
    const saved = JSON.parse(readItem(key) ?? '') as Saved;
    if (typeof saved.capability === 'string' && Array.isArray(saved.lines)) return saved;
  } catch {
    // A first visit, or something unreadable: start afresh.
  }
  return known ?? { capability: randomId(32), cursor: 0, readAt: 0, lines: [] };
}

const PROGRESS = { sending: 0, retrying: 1, sent: 2 } as const;

/**
 * Two copies of one conversation as one: every line of either (the further delivery state of
 * a line both have), the later cursor and read time. Another tab's write can reach this tab's
 * storage after its news does, so neither copy alone is the truth.
 */
export function mergeSaved(stored: Saved, mine: Saved): Saved {
  const lines = new Map(stored.lines.map((l) => [l.id, l]));
  for (const line of mine.lines) {
    const known = lines.get(line.id);
    if (!known || PROGRESS[line.state ?? 'sent'] > PROGRESS[known.state ?? 'sent']) {
      lines.set(line.id, line);
    }
  }
  const merged: Saved = {
    capability: stored.capability,
    cursor: Math.max(stored.cursor, mine.cursor),
    readAt: Math.max(stored.readAt, mine.readAt),
    lines: [...lines.values()].sort((a, b) => a.at - b.at),
  };
  const name = stored.name ?? mine.name;
  if (name !== undefined) merged.name = name;
  return merged;
}

export function storeSaved(key: string, saved: Saved): void {
  saved.lines = saved.lines.slice(-MAX_LINES);
  writeItem(key, JSON.stringify(saved));
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('storage'));
    };
  });
}

/** The visitor's chat key pair for this workspace: made once, then read back. */
export async function visitorKeys(workspace: string): Promise<CryptoKeyPair> {
  try {
    const open = indexedDB.open('converge-chat', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('keys');
    const db = await request(open);
    const known = (await request(db.transaction('keys').objectStore('keys').get(workspace))) as
      CryptoKeyPair | undefined;
    if (known) return known;
    const keys = await generateVisitorKeys();
    // `add`, not `put`: when two tabs race, the first key stays and both use it.
    try {
      await request(db.transaction('keys', 'readwrite').objectStore('keys').add(keys, workspace));
      return keys;
    } catch {
      const first = (await request(db.transaction('keys').objectStore('keys').get(workspace))) as
        CryptoKeyPair | undefined;
      return first ?? keys;
    }
  } catch {
    return generateVisitorKeys();
  }
}
