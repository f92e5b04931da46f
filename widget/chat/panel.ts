/**
 * The chat panel's DOM, in the launcher's shadow root: a dialog with the greeting and team
 * status, the messages (a log that screen readers announce), the name prompt and the composer.
 * Visitor and team text only ever lands in text nodes; only http(s) links become links.
 */
import type { WidgetConfig } from '../../src/core/widget-settings.ts';
import { statusText, STRINGS } from './strings.ts';
import type { Line } from './saved.ts';

const CSS = `
:host{all:initial}
section{position:fixed;bottom:88px;right:20px;z-index:2147483647;width:360px;max-height:min(600px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:14px;box-shadow:0 10px 40px #0003;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;overflow:hidden;transition:opacity .15s,transform .15s}
section[hidden]{display:none}
:host([side=left]) section{right:auto;left:20px}
header{background:var(--c,#4f46e5);color:#fff;padding:16px 48px 14px 18px;position:relative}
h2{margin:0 0 4px;font-size:17px}
header p{margin:0;font-size:14px;opacity:.92}
.close{all:initial;position:absolute;top:10px;right:10px;width:32px;height:32px;border-radius:8px;color:#fff;font:22px/32px sans-serif;text-align:center;cursor:pointer}
.close:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #a5b4fc;outline-offset:1px}
ol{list-style:none;margin:0;padding:14px;overflow-y:auto;flex:1;display:flex;flex-direction:column;gap:8px;min-height:120px}
li{max-width:80%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}
li.me{align-self:flex-end;background:var(--c,#4f46e5);color:#fff}
li.team{align-self:flex-start;background:#f3f4f6}
li.intro{align-self:stretch;max-width:none;background:none;color:#4b5563;padding:0}
li small{display:block;font-size:12px;opacity:.75;margin-top:2px}
li.me a{color:#fff}
form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e5e7eb;align-items:flex-end}
form[hidden]{display:none}
.name{flex-direction:column;align-items:stretch}
.name p{margin:0;font-size:14px;color:#111827}
.compose label{flex:1}
label{font-size:14px;color:#374151}
input,textarea{box-sizing:border-box;width:100%;font:inherit;font-size:16px;padding:8px 10px;border:1px solid #d1d5db;border-radius:8px;color:#111827;background:#fff}
textarea{resize:none;max-height:120px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
form button{all:initial;box-sizing:border-box;background:var(--c,#4f46e5);color:#fff;border-radius:8px;padding:9px 14px;font:600 15px system-ui,sans-serif;cursor:pointer;text-align:center}
@media (max-width:480px){section{inset:0;width:auto;max-height:none;border-radius:0}}
@media (prefers-reduced-motion:reduce){section{transition:none}}
`;

/** Text as nodes: http(s) URLs become links that open apart; nothing else is markup. */
function textNodes(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const at = match.index;
    nodes.push(document.createTextNode(text.slice(last, at)));
    const a = document.createElement('a');
    a.href = match[0];
    a.textContent = match[0];
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    nodes.push(a);
    last = at + match[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export interface PanelEvents {
  name(name: string): void;
  message(text: string): void;
  closed(): void;
}

export class Panel {
  readonly #section: HTMLElement;
  readonly #log: HTMLOListElement;
  readonly #nameForm: HTMLFormElement;
  readonly #compose: HTMLFormElement;
  readonly #input: HTMLInputElement;
  readonly #text: HTMLTextAreaElement;
  readonly #items = new Map<string, HTMLLIElement>();
  readonly #status: HTMLElement;
  readonly #nameButton: HTMLElement;

  constructor(root: ShadowRoot, config: WidgetConfig, events: PanelEvents) {
    const style = document.createElement('style');
    style.textContent = CSS;
    const section = (this.#section = document.createElement('section'));
    section.setAttribute('role', 'dialog');
    section.setAttribute('aria-label', STRINGS.title);
    section.hidden = true;
    section.innerHTML = `<header><h2></h2><p></p><button type="button" class="close">×</button></header><ol role="log" aria-live="polite"></ol><form class="name"><p></p><label><span></span><input name="name" autocomplete="name" maxlength="80" required></label><button type="submit"></button></form><form class="compose" hidden><label><span class="sr"></span><textarea rows="2" maxlength="4000"></textarea></label><button type="submit"></button></form>`;
    // The template above has every element these look up.
    const $ = (selector: string): HTMLElement => section.querySelector(selector) as HTMLElement;
    $('h2').textContent = STRINGS.title;
    this.#status = $('header p');
    this.#status.textContent = STRINGS.status;
    const close = $('.close');
    close.setAttribute('aria-label', STRINGS.close);
    this.#log = $('ol') as HTMLOListElement;
    this.#log.setAttribute('aria-label', 'Conversation');
    this.#nameForm = $('.name') as HTMLFormElement;
    this.#compose = $('.compose') as HTMLFormElement;
    this.#input = $('input') as HTMLInputElement;
    this.#text = $('textarea') as HTMLTextAreaElement;
    $('.name p').textContent = config.namePrompt;
    $('.name label span').textContent = STRINGS.nameLabel;
    this.#nameButton = $('.name button');
    $('.compose .sr').textContent = STRINGS.messageLabel;
    this.#text.placeholder = STRINGS.messagePlaceholder;
    $('.compose button').textContent = STRINGS.send;
    const intro = document.createElement('li');
    intro.className = 'intro';
    intro.textContent = config.greeting;
    this.#log.append(intro);

    close.addEventListener('click', () => {
      events.closed();
    });
    section.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') events.closed();
    });
    this.#nameForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = this.#input.value.trim();
      if (name) events.name(name);
    });
    const send = (): void => {
      const text = this.#text.value.trim();
      if (!text) return;
      this.#text.value = '';
      events.message(text);
    };
    this.#compose.addEventListener('submit', (e) => {
      e.preventDefault();
      send();
    });
    this.#text.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a new line (and an IME composing text keeps its Enter).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    });
    root.append(style, section);
  }

  get isOpen(): boolean {
    return !this.#section.hidden;
  }

  open(): void {
    this.#section.hidden = false;
    this.#log.scrollTop = this.#log.scrollHeight;
    (this.#nameForm.hidden ? this.#text : this.#input).focus();
  }

  close(): void {
    this.#section.hidden = true;
  }

  /** Whether the team answers now (unknown: the usual promise), and if not when it will. */
  status(status: { open: boolean | undefined; opensAt?: number | undefined }): void {
    this.#status.textContent = statusText(status.open, status.opensAt);
  }

  /**
   * What the visitor is asked now: their name before anything else, their name beside the
   * composer (after a first message), or only a message. The focus follows the first field.
   */
  ask(what: 'name' | 'both' | 'message'): void {
    const wasName = !this.#nameForm.hidden;
    this.#nameForm.hidden = what === 'message';
    this.#compose.hidden = what === 'name';
    this.#nameButton.textContent = what === 'name' ? STRINGS.nameButton : STRINGS.nameSave;
    if (wasName !== (what === 'name') && this.isOpen) {
      (what === 'name' ? this.#input : this.#text).focus();
    }
  }

  /** Shows a line, or updates it (its delivery state). */
  show(line: Line): void {
    let li = this.#items.get(line.id);
    if (!li) {
      li = document.createElement('li');
      this.#items.set(line.id, li);
      this.#log.append(li);
    }
    li.className = line.from;
    const who = line.from === 'me' ? STRINGS.you : line.author || STRINGS.team;
    const state =
      line.from === 'me'
        ? line.state === 'sending'
          ? STRINGS.sending
          : line.state === 'retrying'
            ? STRINGS.retrying
            : STRINGS.sent
        : line.auto
          ? STRINGS.auto
          : who;
    const label = document.createElement('span');
    label.className = 'sr';
    label.textContent = `${who}: `;
    const small = document.createElement('small');
    small.textContent = state;
    li.replaceChildren(label, ...textNodes(line.text), small);
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
