import assert from 'node:assert/strict';
import { TEMPLATES } from '../../src/teams/cards/render';
import { startHarness, type Harness } from '../support/harness';

function verbsIn(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => verbsIn(n, found));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'Action.Execute') {
      assert.equal(typeof o.verb, 'string', 'an Action.Execute without a verb never reaches the bot');
      found.add(o.verb as string);
    }
    Object.values(o).forEach((v) => verbsIn(v, found));
  }
  return found;
}

describe('card templates', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.close());

  for (const [name, template] of Object.entries(TEMPLATES)) {
    it(`routes every Action.Execute verb in the ${name} template to a registered handler`, () => {
      for (const verb of verbsIn(template)) assert.ok(h.bot.verbs.includes(verb), `verb ${verb} has no handler`);
    });

    it(`declares Adaptive Card 1.5 in the ${name} template and no refresh (which would loop updates)`, () => {
      assert.equal((template as { version?: string }).version, '1.5');
      assert.equal('refresh' in template, false);
    });
  }

  it('has exactly the decision, product-choice and confirmation verbs, each registered', () => {
    const all = new Set(Object.values(TEMPLATES).flatMap((t) => [...verbsIn(t)]));
    assert.deepEqual([...all].sort(), ['lockbox.approve', 'lockbox.reject', 'lockbox.switch.cancel', 'lockbox.switch.choose', 'lockbox.switch.confirm']);
    assert.deepEqual([...h.bot.verbs].sort(), [...all].sort(), 'no handler waits for a verb no card sends');
  });
});
