/**
 * The "Saved" a settings page shows after a change lands (in a `role="status"` region, so a
 * screen reader hears it too), cleared after a few seconds.
 */
export class SavedNote {
  #text = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;

  get text(): string {
    return this.#text;
  }

  show(text: string): void {
    this.#text = text;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.#text = ''), 4_000);
  }
}
