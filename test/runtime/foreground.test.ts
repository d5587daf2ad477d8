import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { Foreground } from '../../src/runtime/foreground';

const turned = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Foreground: clicks being answered go before work nobody waits for', () => {
  afterEach(() => sinon.restore());

  it('is quiet at once when no click is being answered', async () => {
    const foreground = new Foreground();
    let quiet = false;
    await foreground.quiet().then(() => (quiet = true));
    assert.equal(quiet, true);
  });

  it('holds background work until every click being answered has its answer', async () => {
    const foreground = new Foreground();
    const answers: (() => void)[] = [];
    const click = () => foreground.answer(() => new Promise<string>((resolve) => answers.push(() => resolve('card'))));
    const first = click();
    const second = click();
    const order: string[] = [];
    const background = foreground.quiet().then(() => order.push('background'));
    void first.then(() => order.push('first answered'));
    void second.then(() => order.push('second answered'));
    answers[0]!();
    await turned();
    await turned();
    assert.deepEqual(order, ['first answered']);
    answers[1]!();
    await background;
    assert.deepEqual(order, ['first answered', 'second answered', 'background']);
  });

  it('a click that fails still counts as answered', async () => {
    const foreground = new Foreground();
    const failing = foreground.answer(() => Promise.reject(new Error('turn failed')));
    await assert.rejects(failing, /turn failed/);
    let quiet = false;
    await foreground.quiet().then(() => (quiet = true));
    assert.equal(quiet, true);
  });

  it('never starves background work: it goes after the longest yield even while clicks keep coming', async () => {
    const clock = sinon.useFakeTimers();
    const foreground = new Foreground(2000);
    void foreground.answer(() => new Promise(() => undefined));
    let quiet = false;
    const waiting = foreground.quiet().then(() => (quiet = true));
    await clock.tickAsync(1999);
    assert.equal(quiet, false);
    await clock.tickAsync(1);
    await waiting;
    assert.equal(quiet, true);
  });

  it('as adapter middleware counts incoming invokes (card clicks) and nothing else', async () => {
    const foreground = new Foreground();
    const middleware = foreground.middleware();
    let endClick!: () => void;
    const click = middleware.onTurn({ activity: { type: 'invoke' } }, () => new Promise<void>((resolve) => (endClick = resolve)));
    let quiet = false;
    const waiting = foreground.quiet().then(() => (quiet = true));
    // A proactive turn (the delivery worker sending an update) and a message run without being counted.
    await middleware.onTurn({ activity: { type: 'event' } }, async () => undefined);
    await middleware.onTurn({ activity: { type: 'message' } }, async () => undefined);
    await turned();
    assert.equal(quiet, false);
    endClick();
    await click;
    await waiting;
    assert.equal(quiet, true);
  });
});
