import assert from 'node:assert/strict';
import { BoundedMap } from '../../src/runtime/bounded-map';

describe('BoundedMap (parsed rows, reused Bot Framework clients)', () => {
  it('keeps at most its capacity, dropping the least recently set first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    assert.equal(map.peek('b'), undefined, 'b was set longest ago');
    assert.equal(map.peek('a'), 10);
    assert.equal(map.peek('c'), 3);
  });

  it('counts get as a use, and peek not', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.get('a'), 1);
    map.set('c', 3);
    assert.deepEqual([map.peek('a'), map.peek('b')], [1, undefined], 'a was used after b was set');
    assert.equal(map.peek('c'), 3);
    map.set('d', 4);
    assert.deepEqual([map.peek('a'), map.peek('c'), map.peek('d')], [undefined, 3, 4], 'a, used before c was set, goes before c');
  });

  it('forgets a deleted key, and a get of a missing one adds nothing', () => {
    const map = new BoundedMap<string, number>(1);
    assert.equal(map.get('x'), undefined);
    map.set('a', 1);
    map.delete('a');
    assert.equal(map.peek('a'), undefined);
  });
});
