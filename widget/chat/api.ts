/**
 * The page's API to the chat, in Plausible's queue pattern: a site that wants to call the chat
 * before the widget has loaded puts a stub in its page,
 *   window.ConvergeLeads = window.ConvergeLeads || function () {
 *     (window.ConvergeLeads.q = window.ConvergeLeads.q || []).push(arguments) };
 * and calls `ConvergeLeads('open')`, `('close')`, `('identify', {name})`, `('consent')` (consent
 * mode: the visitor agreed to be recorded) or `('on', 'reply', fn)` at any time; the calls
 * queued meanwhile run once the chat is here.
 * Whatever the page passes is checked, and nothing it does can throw into it.
 */
type Call = ArrayLike<unknown>;
export type ConvergeLeadsFn = ((...args: unknown[]) => void) & { q?: Call[] };

export interface ChatControls {
  open(): void;
  close(): void;
  identify(name: string): void;
  consent(): void;
}

export interface Reply {
  text: string;
  author: string;
  at: number;
}

export class ChatApi {
  readonly #listeners: ((reply: Reply) => void)[] = [];

  constructor(chat: ChatControls) {
    const page = window as Window & { ConvergeLeads?: ConvergeLeadsFn };
    const queued = page.ConvergeLeads?.q ?? [];
    const run = (call: Call): void => {
      try {
        const [name, arg, fn] = [call[0], call[1], call[2]];
        if (name === 'open') chat.open();
        else if (name === 'close') chat.close();
        else if (name === 'consent') chat.consent();
        else if (name === 'identify') {
          const given = (arg as { name?: unknown } | null)?.name;
          if (typeof given === 'string' && given.trim()) chat.identify(given.trim());
        } else if (name === 'on' && arg === 'reply' && typeof fn === 'function') {
          this.#listeners.push(fn as (reply: Reply) => void);
        }
      } catch {
        // The host page comes first.
      }
    };
    page.ConvergeLeads = (...args: unknown[]) => {
      run(args);
    };
    for (const call of queued) run(call);
  }

  /** A team reply arrived: the page's listeners hear it. */
  replied(reply: Reply): void {
    for (const listener of this.#listeners) {
      try {
        listener({ ...reply });
      } catch {
        // A listener's failure is the page's own.
      }
    }
  }
}
