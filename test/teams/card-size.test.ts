import assert from 'node:assert/strict';
import { bytesOverBudget, CARD_BUDGET_BYTES, cardBytes, fitsBudget } from '../../src/teams/cards/size';

/** A card whose JSON is exactly `bytes` bytes long in UTF-8 (give or take one character of `unit`), made of `unit`. */
function cardNear(bytes: number, unit: string) {
  const empty = cardBytes({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: '' }] });
  const unitBytes = cardBytes({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: unit }] }) - empty;
  return { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: unit.repeat(Math.floor((bytes - empty) / unitBytes)) }] };
}

describe('the size of a card, as Teams counts it (bytes of its JSON in UTF-8)', () => {
  it('tells a card that fits from one that does not exactly at the budget, whatever characters it is made of', () => {
    // ASCII, two-byte, three-byte and four-byte (surrogate pair) characters, control characters JSON escapes, a lone surrogate, quotes.
    for (const unit of ['x', 'é', '€', '🔒', '\u0001', '\ud800', '"', 'a€🔒é\n']) {
      for (const target of [CARD_BUDGET_BYTES / 3 - 8, CARD_BUDGET_BYTES / 3 + 8, CARD_BUDGET_BYTES - 8, CARD_BUDGET_BYTES, CARD_BUDGET_BYTES + 1, CARD_BUDGET_BYTES + 16, CARD_BUDGET_BYTES * 2]) {
        const card = cardNear(target, unit);
        const bytes = cardBytes(card);
        assert.equal(fitsBudget(card), bytes <= CARD_BUDGET_BYTES, `${JSON.stringify(unit)} ${bytes} bytes`);
        assert.equal(bytesOverBudget(card), bytes <= CARD_BUDGET_BYTES ? undefined : bytes, `${JSON.stringify(unit)} ${bytes} bytes`);
      }
    }
  });

  it('counts a card of three-byte characters whose text is a third of the budget long as over it', () => {
    const card = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: '€'.repeat(CARD_BUDGET_BYTES / 3) }] };
    assert.equal(fitsBudget(card), false);
    assert.equal(bytesOverBudget(card), cardBytes(card));
  });
});
