/**
 * Publishes the widget settings for the widget: the signed chain of the setting in force
 * (widget-chain.ts), stored on the relay whenever it proves a newer setting than the one there.
 * Every member's leader tab does it — whoever is online — and it is harmless to repeat.
 */
import type { Timers } from '../contracts/time.ts';
import type { Entry } from '../core/ledger.ts';
import { supersedes, widgetChain } from '../core/widget-chain.ts';
import { publishWidget, publishedWidget } from './relay-client.ts';

export interface WidgetPublisherParts {
  relayUrl: string;
  workspaceId: string;
  token: () => Promise<string>;
  timers: Timers;
}

const RETRY_MS = [2_000, 10_000, 60_000];

export class WidgetPublisher {
  readonly #parts: WidgetPublisherParts;
  #accepted: ReadonlyMap<string, Entry> = new Map();
  /** The entries changed since the last pass. */
  #dirty = false;
  #running = false;
  #failures = 0;
  #stopped = false;
  /** The chain the relay was last seen to hold from here: most ledger changes leave it as is. */
  #published = '';

  constructor(parts: WidgetPublisherParts) {
    this.#parts = parts;
  }

  /** The ledger's accepted entries changed (or the leader just started). */
  update(accepted: ReadonlyMap<string, Entry>): void {
    this.#accepted = accepted;
    this.#dirty = true;
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { relayUrl, workspaceId, token, timers } = this.#parts;
    try {
      while (this.#dirty && !this.#stopped) {
        this.#dirty = false;
        const chain = widgetChain(this.#accepted);
        const text = JSON.stringify(chain);
        if (!chain || text === this.#published) continue;
        const published = await publishedWidget(relayUrl, workspaceId);
        if (await supersedes(workspaceId, chain, published)) {
          await publishWidget(relayUrl, workspaceId, await token(), chain);
        }
        this.#published = text;
        this.#failures = 0;
      }
    } catch {
      // Offline or refused: try again with what is newest then.
      const wait = RETRY_MS[Math.min(this.#failures++, RETRY_MS.length - 1)] ?? 60_000;
      this.#dirty = true;
      timers.setTimeout(() => {
        void this.#run();
      }, wait);
    } finally {
      this.#running = false;
    }
  }
}
