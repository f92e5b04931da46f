/** The app's top-level state: configuration, the workspace open in this tab, fatal errors. */
import { decodeInvite } from '../core/invite.ts';
import { localDb, type WorkspaceRecord } from '../data/db.ts';
import { loadConfig, type AppConfig } from './config.ts';
import { Session } from './session/session.ts';
import { createWorkspace, joinWorkspace, type NewWorkspace } from './session/workspaces.ts';
import { hotNotices } from './shell/hot-notices.ts';

/** The workspace this browser opened last (a person may belong to several). */
const CURRENT = 'converge:current-workspace';

class AppState {
  #config = $state<AppConfig>({ relayUrl: '' });
  #session = $state<Session | undefined>();
  #phase = $state<'loading' | 'welcome' | 'ready'>('loading');
  #error = $state('');
  /** Hot-lead alerts on screen, newest last. */
  alerts = $state<string[]>([]);

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
      const current = localStorage.getItem(CURRENT);
      const record =
        (current ? await localDb.workspaces.get(current) : undefined) ??
        (await localDb.workspaces.orderBy('id').first());
      if (!record) {
        this.#phase = 'welcome';
        return;
      }
      this.#open(record);
    } catch (err) {
      this.handleError(err);
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

  /** Joins the workspace an invite link names (or opens it, when already a member). */
  async join(code: string, memberName: string): Promise<void> {
    const record = await joinWorkspace(decodeInvite(code), memberName);
    this.#open(record);
    location.hash = '#/leads';
  }

  #open(record: WorkspaceRecord): void {
    this.#session?.close();
    const session = Session.open(record);
    session.onError = (err) => {
      this.handleError(err);
    };
    session.onHot = (ids) => {
      this.alerts = [...this.alerts.filter((id) => !ids.includes(id)), ...ids].slice(-3);
      void notifyHot(session, ids);
    };
    localStorage.setItem(CURRENT, record.id);
    this.#session = session;
    this.#phase = 'ready';
    session.load().catch((err: unknown) => {
      this.handleError(err);
    });
  }

  /** The one place user-visible failures are reported. */
  handleError(err: unknown): void {
    this.#error = err instanceof Error ? err.message : String(err);
    console.error(err);
  }

  dismissError(): void {
    this.#error = '';
  }
}

export const app = new AppState();

/** Desktop notifications for hot leads, when the member allowed them (see hotNotices). */
async function notifyHot(session: Session, ids: string[]): Promise<void> {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const rows = (await session.db.leads.bulkGet(ids)).filter((row) => row !== undefined);
  for (const notice of hotNotices(rows.map((row) => session.scored(row)))) {
    const note = new Notification(notice.title, { body: notice.body, tag: notice.tag });
    note.onclick = () => {
      window.focus();
      location.hash = notice.href;
    };
  }
}
