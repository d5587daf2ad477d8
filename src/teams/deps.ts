import type { CoreDeps } from '../domain/usecases/deps';
import type { PollReport } from '../domain/usecases/poll';

export interface TeamsDeps extends CoreDeps {
  /** Asks the watcher to run now, e.g. so a new installer gets pending cards without waiting. */
  kickWatcher(): void;
  /** How long a card click may wait for Microsoft before answering "sending…" and finishing in the background. */
  answerBudgetMs: number;
  /** The watcher's latest cycle, for `/lockbox status`. */
  lastPoll(): PollReport | undefined;
  /** This build's version, shown by `/lockbox status`. */
  version: string;
  newId(): string;
}
