import assert from 'node:assert/strict';
import { describeResource } from '../../src/teams/cards/resource';
import { duration, localTime, plain } from '../../src/teams/cards/text';

describe('card text', () => {
  const cases: [string, string, string][] = [
    ['bold and italics', 'a *b* _c_', 'a \\*b\\* \\_c\\_'],
    ['a link', '[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['HTML', '<b>hi</b>', '\\<b\\>hi\\</b\\>'],
    ['a card function', '{{DATE(2020-01-01T00:00:00Z)}}', '{\u200B{DATE(2020-01-01T00:00:00Z)}}'],
    ['a list marker at the start of a line', '- item\n1. first', '\u200B- item\n\n\u200B1. first'],
    ['a list marker after a Unicode line separator', 'a\u2028- b\u20292. c', 'a\u2028\u200B- b\u2029\u200B2. c'],
    ['a heading marker after leading spaces', '  # title', '  \u200B# title'],
    ['ordinary words', 'Troubleshooting VM-42 (case 7).', 'Troubleshooting VM-42 (case 7).'],
    ['a right-to-left override (without it)', 'Reject\u202Eevorppa', 'Rejectevorppa'],
    ['isolates and marks (without them)', '\u2066a\u2067b\u2068c\u2069\u200Ed\u200F\u061C', 'abcd'],
    ['zero-width characters (without them)', 'A\u200Bp\u200Cp\u200Dr\u2060o\uFEFFve', 'Approve'],
    ['every embedding and override (without them)', '\u202Aa\u202Bb\u202Cc\u202Dd\u202E', 'abcd'],
    ['a card function hidden by a zero-width space', '{\u200B{DATE(2020-01-01T00:00:00Z)}}', '{\u200B{DATE(2020-01-01T00:00:00Z)}}'],
  ];
  for (const [what, input, expected] of cases) {
    it(`shows ${what} as written`, () => assert.equal(plain(input), expected));
  }

  it('shows times in the reader\'s time zone through the card functions, without fractions', () => {
    assert.equal(localTime('2026-11-28T09:00:00.123Z'), '{{DATE(2026-11-28T09:00:00Z, SHORT)}} {{TIME(2026-11-28T09:00:00Z)}}');
  });

  const spans: [number, string][] = [[30_000, 'less than a minute'], [5 * 60_000, '5 min'], [(2 * 60 + 5) * 60_000, '2 h 5 min'], [(3 * 24 + 4) * 3600_000, '3 d 4 h']];
  for (const [ms, words] of spans) it(`words ${ms} ms as "${words}"`, () => assert.equal(duration(ms), words));
});

describe('resource names on cards', () => {
  const cases: [string, string][] = [
    ['SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG-PAY/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM-JUMPBOX', 'VM-JUMPBOX (resource group RG-PAY)'],
    ['/subscriptions/0000/resourceGroups/demo/providers/Microsoft.Storage/storageAccounts/logs', 'logs (resource group demo)'],
    ['/subscriptions/0000/resourceGroups/demo', 'Resource group demo'],
    ['xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'],
    ['00000000-0000-4000-8000-00000000a2b1', 'The whole subscription'],
    ['something else', 'something else'],
  ];
  for (const [id, words] of cases) it(`names ${id} as "${words}"`, () => assert.equal(describeResource(id), words));
});
