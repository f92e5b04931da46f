/**
 * Writing to visitors. A teammate's message goes into the team doc (every teammate sees it, in
 * one order) and, sealed to the visitor's key as the team, into the visitor's mailbox on the
 * relay. Delivery is retried with backoff until the relay has it; the relay keeps one copy per
 * id, so a retry never doubles a message. Until then the message is on this browser's list of
 * undelivered ones, so a tab closed before the relay had it leaves it to the next leader tab.
 */
import { CodedError } from '../contracts/errors.ts';
import type { Timers } from '../contracts/time.ts';
import { sealToVisitor, teamSenderKeys } from '../core/chat-seal.ts';
import type { ConversationMessage } from '../core/conversation.ts';
import type { WorkspaceInfo } from '../core/ledger.ts';
import type { Reply } from '../core/reply.ts';
import { readMeta, type WorkspaceDb } from '../data/db.ts';
import { postMail, RelayError } from './relay-client.ts';
import type { TeamEdits } from './team-edits.ts';

const RETRY_MS = [1_000, 2_000, 5_000, 15_000, 60_000];
/** Messages written here that the relay does not have yet: message id → lead id. */
const UNDELIVERED = 'undelivered';

export interface RepliesDeps {
  edits: TeamEdits;
  db: WorkspaceDb;
  relayUrl: string;
  workspaceId: string;
  /** The name visitors see on this member's messages. */
  author: string;
  token: () => Promise<string>;
  info: WorkspaceInfo;
  timers: Timers;
  onError: (err: unknown) => void;
}

export class Replies {
  readonly #deps: RepliesDeps;
  #keys: Promise<CryptoKeyPair> | undefined;
  #stopped = false;

  constructor(deps: RepliesDeps) {
    this.#deps = deps;
  }

  /** Writes to a lead's visitor; resolves once it is in the team doc (delivery follows). */
  async send(leadId: string, text: string, auto = false): Promise<ConversationMessage> {
    const lead = await this.#deps.db.leads.get(leadId);
    const chat = lead?.facts.chat;
    if (!chat) throw new CodedError('not_reachable', 'this visitor has not chatted yet');
    const message = this.#deps.edits.write(leadId, text, auto);
    if (!message) throw new CodedError('empty_message', 'the message is empty');
    await this.#undelivered((list) => list.set(message.id, leadId));
    this.#deliver(chat.key, chat.mailbox, message, 0);
    return message;
  }

  /** Delivers what a tab of this browser wrote and closed before the relay had it (leader). */
  async redeliver(): Promise<void> {
    const { db, edits } = this.#deps;
    const list = await readMeta<[string, string][]>(db, UNDELIVERED, []);
    for (const [id, leadId] of list) {
      const chat = (await db.leads.get(leadId))?.facts.chat;
      const message = edits.messagesOf(leadId).find((m) => m.id === id);
      if (chat && message) this.#deliver(chat.key, chat.mailbox, message, 0);
      else await this.#delivered(id);
    }
  }

  /** Changes the list of undelivered messages in one transaction (tabs share it). */
  async #undelivered(change: (list: Map<string, string>) => void): Promise<void> {
    const { db } = this.#deps;
    await db.transaction('rw', db.meta, async () => {
      const list = new Map(await readMeta<[string, string][]>(db, UNDELIVERED, []));
      change(list);
      await db.meta.put({ key: UNDELIVERED, value: [...list] });
    });
  }

  #delivered(id: string): Promise<void> {
    return this.#undelivered((list) => list.delete(id));
  }

  #deliver(
    visitorKey: string,
    mailbox: string,
    message: ConversationMessage,
    attempt: number,
  ): void {
    this.#post(visitorKey, mailbox, message).then(
      () => this.#delivered(message.id).catch(this.#deps.onError),
      (err: unknown) => {
        if (this.#stopped) return;
        const final =
          err instanceof RelayError && err.status >= 400 && err.status < 500 && err.status !== 429;
        if (final) {
          // The relay will never take it (a full mailbox, say): said once, not retried.
          this.#delivered(message.id).catch(this.#deps.onError);
          this.#deps.onError(err);
          return;
        }
        const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 60_000;
        this.#deps.timers.setTimeout(() => {
          this.#deliver(visitorKey, mailbox, message, attempt + 1);
        }, wait);
      },
    );
  }

  async #post(visitorKey: string, mailbox: string, message: ConversationMessage): Promise<void> {
    const { info, workspaceId, relayUrl } = this.#deps;
    const keys = await (this.#keys ??= teamSenderKeys(info.intakePrivateKey, info.intakePublicKey));
    const reply: Reply = {
      kind: 'reply',
      id: message.id,
      at: message.at,
      text: message.text,
      author: this.#deps.author,
    };
    if (message.auto) reply.auto = true;
    const sealed = await sealToVisitor(
      keys,
      info.intakePublicKey,
      visitorKey,
      JSON.stringify(reply),
      `${workspaceId}/${mailbox}`,
    );
    await postMail(relayUrl, workspaceId, await this.#deps.token(), mailbox, {
      id: message.id,
      sealed,
    });
  }

  stop(): void {
    this.#stopped = true;
  }
}
