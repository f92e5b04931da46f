/**
 * The chat, loaded by the launcher when a visitor first opens it (`public/widget-chat.js`).
 * The visitor's name and messages are sealed with their own key (chat-seal.ts) and sent
 * through the intake log like page views; the team's replies arrive sealed in the visitor's
 * mailbox, followed live over the relay's WebSocket, and only those the team sealed are shown.
 */
import { randomId } from '../../src/core/bytes.ts';
import type { ChatEvent, VisitorMessage } from '../../src/core/capture.ts';
import { mailboxOf, openFromTeam, sealFromVisitor } from '../../src/core/chat-seal.ts';
import type { LiveServerMessage, LogEntry, TeamStatus } from '../../src/core/relay-protocol.ts';
import { checkReply, type Reply } from '../../src/core/reply.ts';
import { DEFAULT_WIDGET, openingOf, type WidgetConfig } from '../../src/core/widget-settings.ts';
import { Outbox } from '../outbox.ts';
import { ChatApi } from './api.ts';
import { writeItem } from '../storage.ts';
import { CHAT_READY, chattedKey, type ChatInstall, type ChatMount } from './contract.ts';
import { Panel } from './panel.ts';
import { loadSaved, storeSaved, visitorKeys, type Line } from './saved.ts';
import { STRINGS } from './strings.ts';

const RECONNECT_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** The outbox, telling when a try failed (it keeps trying: nothing is given up on). */
class ChatOutbox extends Outbox {
  onRetry = (): void => {};
  protected override retryLater(): void {
    super.retryLater();
    this.onRetry();
  }
}

interface TeamAnswers {
  open: boolean | undefined;
  opensAt?: number | undefined;
}

class Chat {
  readonly #install: ChatInstall;
  readonly #key: string;
  readonly #saved;
  readonly #panel: Panel;
  readonly #outbox: ChatOutbox;
  readonly #keys: Promise<CryptoKeyPair>;
  readonly #mailbox: Promise<string>;
  #following = false;
  #failures = 0;
  readonly #config: WidgetConfig;
  /** Whether the team answers, as the hours and the relay said when the panel last opened. */
  #status: Promise<TeamAnswers> = Promise.resolve({ open: undefined });
  #autoReplied = false;
  readonly #api: ChatApi;

  constructor(install: ChatInstall) {
    this.#install = install;
    this.#config = { ...DEFAULT_WIDGET, ...install.config };
    this.#key = `converge:${install.workspace}:chat`;
    this.#saved = loadSaved(this.#key);
    this.#keys = visitorKeys(install.workspace);
    this.#mailbox = mailboxOf(this.#saved.capability);
    this.#outbox = new ChatOutbox(
      `${install.relay}/v1/intake/${encodeURIComponent(install.workspace)}`,
      `converge:${install.workspace}:chat-outbox`,
    );
    this.#outbox.onRetry = () => {
      for (const line of this.#saved.lines) {
        if (line.state === 'sending') {
          line.state = 'retrying';
          this.#panel.show(line);
        }
      }
      this.#save();
    };
    this.#outbox.onSent = (ids) => {
      for (const line of this.#saved.lines) {
        if (ids.has(line.id) && line.state !== undefined && line.state !== 'sent') {
          line.state = 'sent';
          this.#panel.show(line);
        }
      }
      this.#save();
    };
    this.#panel = new Panel(install.root, this.#config, {
      name: (name) => {
        void this.#sendName(name);
      },
      message: (text) => {
        void this.#sendMessage(text);
      },
      closed: () => {
        this.close();
      },
    });
    for (const line of this.#saved.lines) this.#panel.show(line);
    this.#api = new ChatApi(this);
    this.#ask();
    if (this.#saved.lines.length) this.#follow();
    this.#badge();
  }

  /** The launcher was clicked. */
  toggle(): void {
    if (this.#panel.isOpen) this.close();
    else this.open();
  }

  open(): void {
    this.#status = this.#teamStatus();
    void this.#status.then((status) => {
      this.#panel.status(status);
    });
    this.#panel.open();
    this.#install.launcher.setAttribute('aria-expanded', 'true');
    this.#saved.readAt = Date.now();
    this.#save();
    this.#badge();
  }

  close(): void {
    // Everything shown while it was open has been seen.
    if (this.#panel.isOpen) {
      this.#saved.readAt = Date.now();
      this.#save();
    }
    this.#panel.close();
    this.#badge();
    const launcher = this.#install.launcher;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  /** Outside business hours the team is away; within them, when no member is online. */
  async #teamStatus(): Promise<TeamAnswers> {
    const hours = openingOf(this.#config.hours, Date.now());
    if (!hours.open) return hours;
    try {
      const { relay, workspace } = this.#install;
      const res = await fetch(`${relay}/v1/workspaces/${encodeURIComponent(workspace)}/status`);
      const body = (await res.json()) as Partial<TeamStatus>;
      return { open: typeof body.online === 'boolean' ? body.online : undefined };
    } catch {
      return { open: undefined };
    }
  }

  /** The name prompt as the settings want it: before the first message, after it, or never. */
  #ask(): void {
    const { askName } = this.#config;
    const wrote = this.#saved.lines.some((l) => l.from === 'me');
    this.#panel.ask(
      this.#saved.name !== undefined || askName === 'off'
        ? 'message'
        : askName === 'before'
          ? 'name'
          : wrote
            ? 'both'
            : 'message',
    );
  }

  #save(): void {
    storeSaved(this.#key, this.#saved);
  }

  /** The launcher's unread badge: team replies not yet seen with the panel open. */
  #badge(): void {
    const unread = this.#panel.isOpen
      ? 0
      : this.#saved.lines.filter((l) => l.from === 'team' && l.at > this.#saved.readAt).length;
    const badge = this.#install.launcher.querySelector('b');
    if (badge) badge.textContent = unread ? String(unread) : '';
    this.#install.launcher.setAttribute(
      'aria-label',
      unread ? STRINGS.unread(unread) : STRINGS.open,
    );
  }

  async #send(event: ChatEvent): Promise<void> {
    const { key, workspace } = this.#install;
    const sealed = await sealFromVisitor(await this.#keys, key, JSON.stringify(event), workspace);
    this.#outbox.add({ id: event.id, sealed });
    writeItem(chattedKey(workspace), '1');
    this.#follow();
  }

  /** The page named the visitor (`ConvergeLeads('identify', {name})`): the name prompt is skipped. */
  identify(name: string): void {
    if (this.#saved.name === undefined) void this.#sendName(name.slice(0, 80));
  }

  async #sendName(name: string): Promise<void> {
    this.#saved.name = name;
    this.#save();
    this.#ask();
    const { visitorId } = this.#install;
    await this.#send({
      kind: 'name',
      id: randomId(),
      visitorId,
      at: Date.now(),
      name,
      mailbox: await this.#mailbox,
    });
  }

  async #sendMessage(text: string): Promise<void> {
    const line: Line = { id: randomId(), from: 'me', text, at: Date.now(), state: 'sending' };
    this.#saved.lines.push(line);
    this.#save();
    this.#panel.show(line);
    this.#ask();
    // Nobody online, or out of hours: the first message is answered at once, and says so to
    // the team.
    const away = (await this.#status).open === false && !this.#autoReplied;
    if (away) {
      this.#autoReplied = true;
      const auto: Line = {
        id: `${line.id}.auto`,
        from: 'team',
        text: this.#config.awayText,
        at: line.at,
        auto: true,
      };
      this.#saved.lines.push(auto);
      this.#save();
      this.#panel.show(auto);
    }
    const { visitorId } = this.#install;
    const event: VisitorMessage = {
      kind: 'message',
      id: line.id,
      visitorId,
      at: line.at,
      text,
      mailbox: await this.#mailbox,
    };
    if (away) event.away = true;
    await this.#send(event);
  }

  /** Follows the mailbox live from the last reply read; reconnects with backoff. */
  #follow(): void {
    if (this.#following) return;
    this.#following = true;
    void this.#mailbox.then((mailbox) => {
      const { relay, workspace } = this.#install;
      const ws = new WebSocket(`${relay.replace(/^http/, 'ws')}/v1/live`);
      ws.onopen = () => {
        ws.send(
          JSON.stringify({
            type: 'follow',
            workspace,
            mailbox,
            capability: this.#saved.capability,
            after: this.#saved.cursor,
          }),
        );
      };
      ws.onmessage = (e) => {
        this.#failures = 0;
        const message = JSON.parse(String(e.data)) as LiveServerMessage;
        if (message.type === 'events') void this.#received(message.events, mailbox);
      };
      ws.onclose = () => {
        this.#following = false;
        const wait = RECONNECT_MS[Math.min(this.#failures++, RECONNECT_MS.length - 1)];
        setTimeout(() => {
          this.#follow();
        }, wait);
      };
    });
  }

  async #received(entries: LogEntry[], mailbox: string): Promise<void> {
    const { key, workspace } = this.#install;
    const keys = await this.#keys;
    for (const entry of entries) {
      let reply: Reply | undefined;
      try {
        reply = checkReply(
          JSON.parse(await openFromTeam(keys, key, entry.sealed, `${workspace}/${mailbox}`)),
        );
      } catch {
        // Not sealed by the team (forged, or damaged): never shown.
      }
      this.#saved.cursor = Math.max(this.#saved.cursor, entry.seq);
      if (!reply || this.#saved.lines.some((l) => l.id === reply.id)) continue;
      const line: Line = {
        id: reply.id,
        from: 'team',
        text: reply.text,
        at: reply.at,
        author: reply.author,
      };
      if (reply.auto) line.auto = true;
      // Shown in the visitor's clock: a reply is newer than anything they saw.
      line.at = Math.max(line.at, this.#saved.readAt + 1);
      this.#saved.lines.push(line);
      this.#panel.show(line);
      this.#api.replied({ text: line.text, author: line.author ?? '', at: reply.at });
    }
    if (this.#panel.isOpen) this.#saved.readAt = Date.now();
    this.#save();
    this.#badge();
  }
}

let chat: Chat | undefined;
const mount: ChatMount = (install) => {
  try {
    chat ??= new Chat(install);
    if (install.open) chat.toggle();
  } catch {
    // The host page comes first.
  }
};
document.dispatchEvent(new CustomEvent(CHAT_READY, { detail: mount }));
