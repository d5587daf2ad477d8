/** Work nobody waits for lets people's answers go first for at most this long: delayed, never starved. */
const MAX_YIELD_MS = 2000;

/**
 * Counts the card clicks being answered, so that work nobody waits for (other copies' card updates, the
 * delivery queue) lets them go first on the one event loop: 200 clicks at once are answered before the
 * updates they cause are queued and sent, rather than taking turns with them.
 */
export class Foreground {
  private answering = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly maxYieldMs = MAX_YIELD_MS) {}

  /** Runs a turn someone is waiting on. */
  async answer<T>(turn: () => Promise<T>): Promise<T> {
    this.answering++;
    try {
      return await turn();
    } finally {
      // After the answer itself has been written, which the microtasks still queued do.
      if (--this.answering === 0 && this.waiters.length) setImmediate(() => this.release());
    }
  }

  /**
   * Adapter middleware that counts each incoming invoke (a card click) while its turn runs. Proactive turns
   * (continueConversation, type 'event') are the background work itself and are not counted.
   */
  middleware(): { onTurn(context: { activity: { type?: string } }, next: () => Promise<void>): Promise<void> } {
    return { onTurn: (context, next) => (context.activity.type === 'invoke' ? this.answer(next) : next()) };
  }

  /** Resolves once no click is being answered, or after `maxYieldMs` at the latest. */
  quiet(): Promise<void> {
    if (this.answering === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, this.maxYieldMs);
      timer.unref?.();
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    if (this.answering > 0) return;
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
