/**
 * A visitor's tabs of one site, together: one of them (the holder of a Web Lock) follows the
 * mailbox over the relay's socket and plays the sound; the others hear of every change over a
 * BroadcastChannel, with the conversation as it now is. Each change merges what is stored with
 * what the tab knows (saved.ts), so no tab writes over another's lines.
 */
import type { Saved } from './saved.ts';
export class VisitorTabs {
  readonly #channel: BroadcastChannel | undefined;
  readonly #name: string;

  constructor(workspace: string, onChanged: (saved: Saved) => void) {
    this.#name = `converge-chat:${workspace}`;
    try {
      this.#channel = new BroadcastChannel(this.#name);
      this.#channel.onmessage = (e: MessageEvent<Saved>) => {
        onChanged(e.data);
      };
    } catch {
      // No channel (an old or locked-down browser): this tab is on its own.
    }
  }

  /** Tells the other tabs the conversation as it is now. */
  changed(saved: Saved): void {
    this.#channel?.postMessage(saved);
  }

  /** Runs `lead` once this tab is the one that follows (at once without Web Locks). */
  lead(lead: () => void): void {
    const locks = 'locks' in navigator ? navigator.locks : undefined;
    if (!locks) {
      lead();
      return;
    }
    // Held for the page's life: when it closes, the next tab waiting takes over.
    void locks
      .request(this.#name, () => {
        lead();
        return new Promise<never>(() => undefined);
      })
      .catch(lead);
  }
}

let audio: AudioContext | undefined;

/** A short soft tone for a new reply (silent until the page has had a user gesture). */
export function chime(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch {
    // No audio: the badge and the announcement still tell.
  }
}
