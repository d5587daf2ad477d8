/**
 * How long drawing a card takes, apart from everything around a click: the request card in every state and
 * language (with and without a notice, as an already-decided click gets it), a notice card, and the card
 * budget's measure of each. CPU time per card after a warm-up, the best of five rounds; no network, no store.
 * Run: npm run bench:cards
 */
import { noticeCard, requestCard } from '../src/teams/cards/render';
import { requestView } from '../src/teams/cards/request-view';
import { cardBytes, fitsBudget } from '../src/teams/cards/size';
import { t } from '../src/teams/i18n';
import { ALEX, NOW, STATES } from '../test/support/card-fixtures';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4_000);
const REPEATS = 5;
const LOCALES = ['en-US', 'nl-NL', 'de-DE', undefined];
const trackedStates = Object.values(STATES).map((make) => make());
const notice = { text: 'Already approved by Megan Bowen at {{DATE(2026-03-14T09:28:00Z, SHORT)}} {{TIME(2026-03-14T09:28:00Z)}}', style: 'accent' as const };

/**
 * The best of a few rounds: the machine may be shared, and another process only ever makes a round slower.
 */
function measure(name: string, rounds: number, body: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(rounds, 500); i++) body(i);
  let best = Infinity;
  let results = 0;
  for (let round = 0; round < REPEATS; round++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < rounds; i++) results += body(i) ? 1 : 0;
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / rounds);
  }
  process.stdout.write(`${name.padEnd(44)} ${best.toFixed(1).padStart(7)} µs CPU each (best of ${REPEATS} rounds of ${rounds}, ${results} results)\n`);
}

const input = (i: number) => ({ tracked: trackedStates[i % trackedStates.length]!, locale: LOCALES[i % LOCALES.length] });

measure('requestCard (every state and language)', ROUNDS, (i) => {
  const { tracked, locale } = input(i);
  return requestCard(tracked, NOW, undefined, { locale, userId: ALEX.aadObjectId });
});
measure('requestCard with a notice (already decided)', ROUNDS, (i) => {
  const { tracked, locale } = input(i);
  return requestCard(tracked, NOW, notice, { locale, userId: ALEX.aadObjectId });
});
measure('requestView alone', ROUNDS, (i) => {
  const { tracked, locale } = input(i);
  return requestView(tracked, NOW, notice, { locale, userId: ALEX.aadObjectId });
});
measure('noticeCard', ROUNDS, (i) => noticeCard(t(LOCALES[i % LOCALES.length], 'refusal.title'), t(LOCALES[i % LOCALES.length], 'refusal.storeSlow.text'), 'warning'));
const cards = trackedStates.map((tracked) => requestCard(tracked, NOW, notice, { locale: 'de-DE' }));
measure('cardBytes of a request card', ROUNDS, (i) => cardBytes(cards[i % cards.length]));
measure('fitsBudget of a request card', ROUNDS, (i) => fitsBudget(cards[i % cards.length]));
measure('t (a key with a placeholder)', ROUNDS * 10, (i) => t(LOCALES[i % LOCALES.length], 'refusal.alreadyApproved', { name: 'Megan Bowen', time: 'then' }));
