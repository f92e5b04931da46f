/** The app's top-level state: configuration, the workspace open in this tab, what went wrong. */
import { isFailure, toFailure, type Failure, type FailureCode } from '../contracts/errors.ts';
import type { ScoredRow } from '../core/lead.ts';
import { decodeInvite } from '../core/invite.ts';
import { storageKey } from '../core/names.ts';
import { localDb, type WorkspaceRecord } from '../data/db.ts';
import { loadConfig, type AppConfig } from './config.ts';
import { Session } from './session/session.ts';
import { restoreBackup } from './session/backup-file.ts';
import {
  createWorkspace,
  forgetWorkspace,
  joinWorkspace,
  type NewWorkspace,
} from './session/workspaces.ts';
import { hotNotices } from './shell/hot-notices.ts';

/** How a failure reads to the user; codes not listed here show their own message. */
const WORDING: Partial<Record<FailureCode, string>> = {
  network: 'The relay can’t be reached. Check the connection — it is tried again on its own.',
  storage_full:
    'This browser’s storage is full: free some space so new visitors can be saved. Nothing is lost meanwhile.',
  storage: 'This browser’s storage failed. Reload the page; nothing stored is lost.',
  not_loaded: 'The workspace is still loading. Try again in a moment.',
  unauthorized: 'The relay refused this workspace’s key.',
  unavailable: 'The relay is restarting or can’t reach its storage. It is tried again on its own.',
  busy: 'The relay is busy. It is tried again on its own.',
  rate_limited: 'Too many requests at once. Wait a moment and try again.',
  snapshot_unreadable: 'The team’s backup on the relay can’t be opened with this invite.',
  backup_passphrase: 'Choose a passphrase of at least 10 characters.',
  backup_key:
    'This browser made your signing key before backups existed, so it can’t be exported. Your teammates’ browsers still hold the workspace.',
  backup_not_backup: 'This file isn’t a Converge Leads backup.',
  backup_wrong_passphrase:
    'That passphrase doesn’t open this backup (or the file was changed). Nothing was restored.',
  backup_damaged: 'This backup file is damaged. Nothing was restored.',
  backup_here: 'This browser already has that workspace: open it from here instead.',
};

/** The user-facing words for a failure. */
export function describe(failure: Failure): string {
  return WORDING[failure.code] ?? failure.message;
}

class AppState {
  #config = $state<AppConfig>({ relayUrl: '', iceServers: [] });
  #session = $state<Session | undefined>();
  #phase = $state<'loading' | 'welcome' | 'ready'>('loading');
  #error = $state('');
  /** News the user should read even if the view it came from is gone (a workspace reopened). */
  notice = $state('');
  /** The workspace an invite link failed to join (the relay refused it), for the way back. */
  refusedJoin = $state<string | undefined>();
  /** Hot-lead alerts on screen, newest last. */
  alerts = $state.raw<ScoredRow[]>([]);
  /** New-message alerts on screen (in this member's leader tab), newest last. */
  messages = $state.raw<ScoredRow[]>([]);

  get config(): AppConfig {
    return this.#config;
  }
  get session(): Session | undefined {
    return this.#session;
  }
  get phase(): 'loading' | 'welcome' | 'ready' {
    return this.#phase;
  }
  get error(): string {
    return this.#error;
  }

  async start(): Promise<void> {
    try {
      this.#config = await loadConfig();
      const current = localStorage.getItem(storageKey.currentWorkspace);
      const record =
        (current ? await localDb.workspaces.get(current) : undefined) ??
        (await localDb.workspaces.orderBy('id').first());
      if (!record) {
        this.#phase = 'welcome';
        return;
      }
      this.#open(record);
    } catch (err) {
      this.handleError(err, 'Could not open your workspace');
      this.#phase = 'welcome';
    }
  }

  async create(input: Omit<NewWorkspace, 'relayUrl'> & { relayUrl?: string }): Promise<void> {
    const record = await createWorkspace({
      ...input,
      relayUrl: input.relayUrl ?? this.#config.relayUrl,
    });
    this.#open(record);
    location.hash = '#/leads';
  }

  /** Restores a workspace from a backup file into this browser, and opens it. */
  async restore(file: Uint8Array<ArrayBuffer>, passphrase: string): Promise<void> {
    const record = await restoreBackup(file, passphrase);
    this.#open(record);
    location.hash = '#/leads';
  }

  /** Joins the workspace an invite link names (or opens it, when already a member). */
  async join(code: string, memberName: string): Promise<void> {
    this.refusedJoin = undefined;
    const record = await joinWorkspace(decodeInvite(code), memberName);
    this.#open(record);
    location.hash = '#/leads';
  }

  #open(record: WorkspaceRecord): void {
    this.#session?.close();
    const session = Session.open(record, $state.snapshot(this.#config));
    session.on('error', (failure) => {
      this.handleError(failure);
    });
    session.on('refused', () => {
      void this.#forget(session);
    });
    session.on('reopen', () => {
      // A new team secret: a new room, read token and snapshot key, from the stored record.
      void localDb.workspaces.get(record.id).then((fresh) => {
        if (fresh && this.#session === session) this.#open(fresh);
      });
    });
    session.on('hot', (rows) => {
      const ids = new Set(rows.map((r) => r.id));
      // Many at once are shown as one toast (HotAlerts): keep them all to count them.
      this.alerts = [...this.alerts.filter((a) => !ids.has(a.id)), ...rows].slice(-100);
      // Every tab shows the alert; one desktop notification per member is enough.
      if (session.status.leader) notifyHot(rows);
    });
    session.on('message', (rows) => {
      // One tab of each member tells: the one that leads (it follows the log anyway).
      if (!session.status.leader) return;
      const ids = new Set(rows.map((r) => r.id));
      this.messages = [...this.messages.filter((m) => !ids.has(m.id)), ...rows].slice(-3);
      notifyMessages(rows);
    });
    localStorage.setItem(storageKey.currentWorkspace, record.id);
    this.#session = session;
    this.#phase = 'ready';
    session.load().catch((err: unknown) => {
      this.handleError(err, 'Could not load the workspace');
    });
  }

  /**
   * A link the relay refused: nothing of it is kept (the record with its wrong secret would
   * otherwise be reused), so the right link then joins in this same browser.
   */
  async #forget(session: Session): Promise<void> {
    if (this.#session !== session) return;
    session.close();
    this.#session = undefined;
    this.refusedJoin = session.record.name;
    this.#phase = 'welcome';
    if (localStorage.getItem(storageKey.currentWorkspace) === session.record.id) {
      localStorage.removeItem(storageKey.currentWorkspace);
    }
    await forgetWorkspace(session.record.id).catch((err: unknown) => {
      this.handleError(err, 'Could not clear the failed join');
    });
  }

  /**
   * The one place user-visible failures are reported: `context` says what was being done
   * ("Could not assign"), the failure's code what went wrong, in the product's words.
   */
  handleError(err: unknown, context?: string): void {
    const failure = isFailure(err) ? err : toFailure(err);
    const words = describe(failure);
    this.#error = context ? `${context}: ${words}` : words;
    console.error(context ?? 'failure', err);
  }

  dismissError(): void {
    this.#error = '';
  }
}

export const app = new AppState();

/** A desktop notification per visitor who wrote, when the member allowed them. */
function notifyMessages(rows: ScoredRow[]): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  for (const row of rows) {
    const note = new Notification(`${row.displayName} wrote`, {
      body: row.lastMessage?.text ?? '',
      tag: `message-${row.id}`,
    });
    note.onclick = () => {
      window.focus();
      location.hash = `#/inbox/${row.id}`;
    };
  }
}

/** Desktop notifications for hot leads, when the member allowed them (see hotNotices). */
function notifyHot(rows: ScoredRow[]): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  for (const notice of hotNotices(rows)) {
    const note = new Notification(notice.title, { body: notice.body, tag: notice.tag });
    note.onclick = () => {
      window.focus();
      location.hash = notice.href;
    };
  }
}
