/**
 * Where lead changes go: to this tab's list worker (over the channel the page handed over, so
 * the page relays nothing), to whoever in this worker shows a lead, and — from the leader tab,
 * the only one that writes leads — to the person's other tabs, whose team workers pass them on
 * the same way.
 */
import { ObservableV2 } from 'lib0/observable';
import { Feed, type FeedMessage } from '../contracts/list.ts';
import type { ScoringRules } from '../core/scoring.ts';
import type { LeadChange } from './projection.ts';

export interface LeadFeedEvents {
  /** Leads changed, in this tab or the leader's. */
  changed: (change: LeadChange) => void;
}

export class LeadFeed extends ObservableV2<LeadFeedEvents> {
  readonly #port: MessagePort;
  readonly #tabs: BroadcastChannel;

  constructor(port: MessagePort, tabChannel: string) {
    super();
    this.#port = port;
    this.#tabs = new BroadcastChannel(tabChannel);
    this.#tabs.onmessage = (event: MessageEvent<LeadChange>) => {
      this.#deliver(event.data);
    };
  }

  /** Changes this tab wrote (it leads). */
  publish(change: LeadChange): void {
    this.#deliver(change);
    this.#tabs.postMessage(change);
  }

  #deliver(change: LeadChange): void {
    this.#send({ type: Feed.leads, rows: change.rows, gone: change.gone, live: change.live });
    this.emit('changed', [change]);
  }

  rules(rules: ScoringRules): void {
    this.#send({ type: Feed.rules, rules });
  }

  /** This worker is listening: what was written before now, the list reads from storage. */
  hello(): void {
    this.#send({ type: Feed.hello });
  }

  #send(message: FeedMessage): void {
    this.#port.postMessage(message);
  }

  override destroy(): void {
    this.#tabs.close();
    this.#port.close();
    super.destroy();
  }
}
