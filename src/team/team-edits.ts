/**
 * Team edits on leads, in the team doc: assignment, tags, customers, messages to visitors — made
 * as this member, and
 * heard from teammates. Every change names the leads it touched, so their stored leads are
 * folded again with the new team facts (see projection.ts).
 */
import { ObservableV2 } from 'lib0/observable';
import type * as Y from 'yjs';
import type { Clock } from '../contracts/time.ts';
import { randomId } from '../core/bytes.ts';
import { cleanMessage, LIMITS } from '../core/capture.ts';
import type { ConversationMessage } from '../core/conversation.ts';
import type { TeamFacts } from '../core/lead.ts';
import {
  assignLead,
  assignments,
  blocks,
  customers,
  markCustomer,
  MessageIndex,
  ReadIndex,
  TagIndex,
  teamFactsOf,
} from '../core/team-doc.ts';

export interface TeamEditEvents {
  /** Leads whose team facts changed, and the origin of the change (who made it). */
  changed: (leads: Set<string>, origin: unknown) => void;
  /** Every tag in use, after tags changed. */
  tags: (tags: string[]) => void;
  /** Leads whose conversation gained a team message, and who wrote it. */
  messages: (leads: Set<string>, origin: unknown) => void;
}

export class TeamEdits extends ObservableV2<TeamEditEvents> {
  readonly #doc: Y.Doc;
  readonly #member: string;
  readonly #clock: Clock;
  readonly #tags: TagIndex;
  readonly #messages: MessageIndex;
  readonly #reads: ReadIndex;

  constructor(doc: Y.Doc, memberId: string, clock: Clock) {
    super();
    this.#doc = doc;
    this.#member = memberId;
    this.#clock = clock;
    this.#tags = new TagIndex(doc, (leads, origin) => {
      this.emit('changed', [leads, origin]);
      this.emit('tags', [this.#tags.allTags()]);
    });
    this.#messages = new MessageIndex(doc, (leads, origin) => {
      this.emit('changed', [leads, origin]);
      this.emit('messages', [leads, origin]);
    });
    this.#reads = new ReadIndex(doc, (leads, origin) => {
      this.emit('changed', [leads, origin]);
    });
    // Maps keyed by lead id: a changed key is a changed lead.
    for (const map of [assignments(doc), customers(doc), blocks(doc)]) {
      map.on('change', (keys, origin) => {
        this.emit('changed', [keys, origin]);
      });
    }
  }

  get tagsInUse(): string[] {
    return this.#tags.allTags();
  }

  teamFactsOf(leadId: string): TeamFacts {
    return teamFactsOf(
      this.#doc,
      { tags: this.#tags, messages: this.#messages, reads: this.#reads },
      leadId,
    );
  }

  /** The team's side of a lead's conversation. */
  messagesOf(leadId: string): ConversationMessage[] {
    return this.#messages.of(leadId);
  }

  /** Blocks the visitor: their messages later in the log than `after` are dropped. */
  block(leadId: string, after: number): void {
    blocks(this.#doc).set(leadId, { by: this.#member, at: this.#clock.now(), after });
  }

  unblock(leadId: string): void {
    blocks(this.#doc).delete(leadId);
  }

  /** The blocked leads, and after which log entry each one's messages are dropped. */
  blocked(): [string, number][] {
    return [...blocks(this.#doc).entries()].map(([leadId, block]) => [leadId, block.after]);
  }

  /** This member has read the lead's conversation up to `at`. */
  markRead(leadId: string, at: number): void {
    this.#reads.mark(leadId, this.#member, at);
  }

  /** Writes to a lead's visitor; the message as written (undefined when the text is empty). */
  write(leadId: string, text: string, auto = false): ConversationMessage | undefined {
    const clean = cleanMessage(text, LIMITS.message);
    if (!clean) return undefined;
    const id = randomId();
    const at = this.#clock.now();
    this.#messages.write(
      leadId,
      id,
      auto ? { by: this.#member, at, text: clean, auto } : { by: this.#member, at, text: clean },
    );
    const message: ConversationMessage = { id, at, from: 'team', text: clean, by: this.#member };
    if (auto) message.auto = true;
    return message;
  }

  assign(leadId: string, to: string | null): void {
    assignLead(this.#doc, leadId, to);
  }

  tag(leadId: string, tag: string): void {
    this.#tags.add(leadId, tag);
  }

  untag(leadId: string, tag: string): void {
    this.#tags.remove(leadId, tag);
  }

  markCustomer(leadId: string): void {
    markCustomer(this.#doc, leadId, this.#member, this.#clock.now());
  }
}
