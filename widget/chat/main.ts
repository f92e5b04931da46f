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
import { loadSaved, mergeSaved, storeSaved, visitorKeys, type Line, type Saved } from './saved.ts';
import { chime, VisitorTabs } from './tabs.ts';
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
  #saved: Saved;
  readonly #panel: Panel;
  readonly #outbox: ChatOutbox;
  /** The visitor's key pair, made (or read) when the chat is first used. */
  #keys: Promise<CryptoKeyPair> | undefined;
  #following = false;
  #failures = 0;
  readonly #config: WidgetConfig;
  /** Whether the team answers, as the hours and the relay said when the panel last opened. */
  #status: Promise<TeamAnswers> = Promise.resolve({ open: undefined });
  readonly #tabs: VisitorTabs;
  /** Each line as last shown, by id. */
  readonly #shown = new Map<string, string>();
  #leadRequested = false;
  readonly #api: ChatApi;

  constructor(install: ChatInstall) {
    this.#install = install;
    this.#config = { ...DEFAULT_WIDGET, ...install.config };
    this.#key = `converge:${install.workspace}:chat`;
    this.#saved = loadSaved(this.#key);
    this.#outbox = new ChatOutbox(
      `${install.relay}/v1/intake/${encodeURIComponent(install.workspace)}`,
      `converge:${install.workspace}:chat-outbox`,
    );
    this.#outbox.onRetry = () => {
      this.#change((saved) => {
        for (const line of saved.lines) if (line.state === 'sending') line.state = 'retrying';
      });
    };
    this.#outbox.onSent = (ids) => {
      this.#change((saved) => {
        for (const line of saved.lines) {
          if (ids.has(line.id) && line.state !== undefined) line.state = 'sent';
        }
      });
    };
    this.#tabs = new VisitorTabs(install.workspace, (theirs) => {
      this.#saved = mergeSaved(this.#saved, theirs);
      this.#render();
    });
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
    this.#render(true);
    this.#api = new ChatApi(this);
    if (this.#saved.lines.length) this.#lead();
  }

  /**
   * Changes the conversation: what storage holds merged with what this tab knows (another tab
   * may have changed it), changed, stored, told to the other tabs, shown.
   */
  #change(change: (saved: Saved) => void): void {
    this.#saved = mergeSaved(loadSaved(this.#key, this.#saved), this.#saved);
    change(this.#saved);
    storeSaved(this.#key, this.#saved);
    this.#tabs.changed(this.#saved);
    this.#render();
  }

  /** Shows what changed since the last time; the page hears of new team replies. */
  #render(first = false): void {
    for (const line of this.#saved.lines) {
      const shown = JSON.stringify(line);
      if (this.#shown.get(line.id) === shown) continue;
      const fresh = !this.#shown.has(line.id);
      this.#shown.set(line.id, shown);
      this.#panel.show(line);
      if (fresh && !first && line.from === 'team') {
        this.#api.replied({ text: line.text, author: line.author ?? '', at: line.at });
      }
    }
    this.#ask();
    this.#badge();
  }

  /** The mailbox named by the capability all tabs share (the first one stored wins). */
  #mailbox(): Promise<string> {
    this.#saved = mergeSaved(loadSaved(this.#key, this.#saved), this.#saved);
    storeSaved(this.#key, this.#saved);
    return mailboxOf(this.#saved.capability);
  }

  /** This tab follows the mailbox once it is the one whose turn it is. */
  #lead(): void {
    if (this.#leadRequested) return;
    this.#leadRequested = true;
    this.#tabs.lead(() => {
      this.#follow();
    });
  }

  /** The launcher was clicked. */
  toggle(): void {
    if (this.#panel.isOpen) this.close();
    else this.open();
  }

  /** The visitor agreed to be recorded (consent mode; opening the chat is agreeing too). */
  consent(): void {
    this.#install.consent();
  }

  open(): void {
    this.consent();
    this.#status = this.#teamStatus();
    void this.#status.then((status) => {
      this.#panel.status(status);
    });
    this.#panel.open();
    this.#install.launcher.setAttribute('aria-expanded', 'true');
    this.#change((saved) => {
      saved.readAt = Date.now();
    });
  }

  close(): void {
    // Everything shown while it was open has been seen.
    const wasOpen = this.#panel.isOpen;
    this.#panel.close();
    if (wasOpen) {
      this.#change((saved) => {
        saved.readAt = Date.now();
      });
    }
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
    this.#keys ??= visitorKeys(workspace);
    const sealed = await sealFromVisitor(await this.#keys, key, JSON.stringify(event), workspace);
    this.#outbox.add({ id: event.id, sealed });
    writeItem(chattedKey(workspace), '1');
    this.#lead();
  }

  /** The page named the visitor (`ConvergeLeads('identify', {name})`): the name prompt is skipped. */
  identify(name: string): void {
    if (this.#saved.name === undefined) void this.#sendName(name.slice(0, 80));
  }

  async #sendName(name: string): Promise<void> {
    this.#change((saved) => {
      saved.name = name;
    });
    const { visitorId } = this.#install;
    await this.#send({
      kind: 'name',
      id: randomId(),
      visitorId,
      at: Date.now(),
      name,
      mailbox: await this.#mailbox(),
    });
  }

  async #sendMessage(text: string): Promise<void> {
    const line: Line = { id: randomId(), from: 'me', text, at: Date.now(), state: 'sending' };
    this.#change((saved) => {
      saved.lines.push(line);
    });
    // Nobody online, or out of hours: the first message is answered at once (once in the
    // conversation, whichever tab), and says so to the team.
    const away =
      (await this.#status).open === false && !this.#saved.lines.some((l) => l.auto === true);
    if (away) {
      const auto: Line = {
        id: `${line.id}.auto`,
        from: 'team',
        text: this.#config.awayText,
        at: line.at,
        auto: true,
      };
      this.#change((saved) => {
        saved.lines.push(auto);
      });
    }
    const { visitorId } = this.#install;
    const event: VisitorMessage = {
      kind: 'message',
      id: line.id,
      visitorId,
      at: line.at,
      text,
      mailbox: await this.#mailbox(),
    };
    if (away) event.away = true;
    await this.#send(event);
  }

  /** Follows the mailbox live from the last reply read; reconnects with backoff. */
  #follow(): void {
    if (this.#following) return;
    this.#following = true;
    void this.#mailbox().then((mailbox) => {
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
    const keys = await (this.#keys ??= visitorKeys(workspace));
    const opened: { seq: number; reply: Reply | undefined }[] = [];
    for (const entry of entries) {
      let reply: Reply | undefined;
      try {
        reply = checkReply(
          JSON.parse(await openFromTeam(keys, key, entry.sealed, `${workspace}/${mailbox}`)),
        );
      } catch {
        // Not sealed by the team (forged, or damaged): never shown.
      }
      opened.push({ seq: entry.seq, reply });
    }
    let heard = false as boolean;
    this.#change((saved) => {
      for (const { seq, reply } of opened) {
        saved.cursor = Math.max(saved.cursor, seq);
        if (!reply || saved.lines.some((l) => l.id === reply.id)) continue;
        // Shown in the visitor's clock: a reply is newer than anything they saw.
        const line: Line = {
          id: reply.id,
          from: 'team',
          text: reply.text,
          at: Math.max(reply.at, saved.readAt + 1),
          author: reply.author,
        };
        if (reply.auto) line.auto = true;
        saved.lines.push(line);
        heard ||= !reply.auto;
      }
      if (this.#panel.isOpen) saved.readAt = Date.now();
    });
    // One sound per reply, from the tab that follows — when the visitor is not looking at it.
    if (heard && (document.hidden || !this.#panel.isOpen)) chime();
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
