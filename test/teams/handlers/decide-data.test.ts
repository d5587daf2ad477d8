import assert from 'node:assert/strict';
import { actionData } from '../../../src/teams/handlers/decide';

describe("an Approve/Reject card's data", () => {
  it('gives the request key in canonical form and the comment, and drops anything else', () => {
    const parsed = actionData.safeParse({ requestKey: 'Azure:SUB-1:ABC', comment: 'looks fine', verb: 'lockbox.approve', extra: { a: 1 } });
    assert.deepEqual(parsed.success && parsed.data, { requestKey: 'azure:sub-1:abc', comment: 'looks fine' });
    const bare = actionData.safeParse({ requestKey: 'x'.repeat(300) });
    assert.deepEqual(bare.success && bare.data, { requestKey: 'x'.repeat(300) });
  });

  for (const [what, data, path] of [
    ['no data', undefined, ''],
    ['an array', [1], ''],
    ['no key', {}, 'requestKey'],
    ['a key that is not a string', { requestKey: 42 }, 'requestKey'],
    ['an empty key', { requestKey: '' }, 'requestKey'],
    ['a key over 300 characters', { requestKey: 'x'.repeat(301) }, 'requestKey'],
    ['a comment that is not a string', { requestKey: 'azure:s:r', comment: { text: 'hi' } }, 'comment'],
  ] as const) {
    it(`refuses ${what}, naming where`, () => {
      const parsed = actionData.safeParse(data);
      assert.equal(parsed.success, false);
      assert.deepEqual(parsed.error!.issues.map((i) => i.path.join('.')), [path]);
    });
  }
});
