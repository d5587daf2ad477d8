import type { CoreDeps } from '../domain/usecases/deps';

export interface TeamsDeps extends CoreDeps {
  /** Asks the watcher to run now, e.g. so a new installer gets pending cards without waiting. */
  kickWatcher(): void;
  /** How long a card click may wait for Microsoft before answering "sending…" and finishing in the background. */
  answerBudgetMs: number;
}
