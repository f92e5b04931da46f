/** The app's top-level state: configuration, the workspace open in this tab, fatal errors. */
import { localDb } from '../data/db.ts';
import { loadConfig, type AppConfig } from './config.ts';
import { Session } from './session/session.ts';
import { createWorkspace, type NewWorkspace } from './session/workspaces.ts';

class AppState {
  #config = $state<AppConfig>({ relayUrl: '' });
  #session = $state<Session | undefined>();
  #phase = $state<'loading' | 'welcome' | 'ready'>('loading');
  #error = $state('');

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
      const [first] = await localDb.workspaces.orderBy('id').toArray();
      if (!first) {
        this.#phase = 'welcome';
        return;
      }
      this.#open(await Session.open(first));
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
    this.#open(await Session.open(record));
    location.hash = '#/leads';
  }

  #open(session: Session): void {
    session.onError = (err) => {
      this.handleError(err);
    };
    this.#session = session;
    this.#phase = 'ready';
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
