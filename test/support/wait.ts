/** Polls until `condition` holds, for what happens after an answer (card updates, deliveries); fails after `ms`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('the condition never came true');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `probe` gives a value (not undefined or false), and returns it; `what` names it in the failure. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
