import assert from 'node:assert/strict';
import * as ACData from 'adaptivecards-templating';
import type { TrackedRequest } from '../../src/domain/tracked';
import { compileTemplate } from '../../src/teams/cards/fast-template';
import { engineRender, FAST_TEMPLATES, render, requestCard, TEMPLATES } from '../../src/teams/cards/render';
import { requestView, type CardFit, type Notice } from '../../src/teams/cards/request-view';
import { ALEX, at, azure, decision, m365, MEGAN, NOW, STATES } from '../support/card-fixtures';

/** Text people or Microsoft wrote that looks like template syntax, markup or escapes. */
const HOSTILE = 'Read ${headline} `code` \\n \\ ${count(facts) > 0} $when {x} }{ ${ ´ “quotes” é ü 🔒 <b>&amp;</b>';

const VARIANTS: Record<string, () => TrackedRequest> = {
  ...STATES,
  'in-portal': () => azure({ decideInPortal: true }),
  'in-portal-no-expiry': () => m365({ decideInPortal: true, expiresAt: 'not a date' }),
  'm365-not-permitted': () => m365({}, { decision: decision('approve', 'failed', { submission: { state: 'failed', attempts: 1, problem: 'not-permitted' } }) }),
  incomplete: () => azure({ incomplete: ['justification', HOSTILE] }),
  approving: () => azure({ status: 'Approving' }, { decision: decision('approve', 'sent') }),
  revoked: () => azure({ status: 'Revoked' }, { decision: decision('approve', 'submitted') }),
  'expired-after-approval': () => azure({ status: 'Expired' }, { decision: decision('approve', 'submitted') }),
  'denied-elsewhere': () => azure({ status: 'Denied' }, { decision: decision('approve', 'sent') }),
  odd: () => azure({ status: HOSTILE, durationHours: -8, createdAt: 'yesterday', accessLevel: undefined, resourceIds: [] }),
  hostile: () =>
    azure(
      { justification: HOSTILE.repeat(40), requester: HOSTILE, subscriptionName: HOSTILE, resourceIds: Array.from({ length: 14 }, (_, i) => `/subscriptions/x/resourceGroups/${HOSTILE}${i}`), supportRequest: HOSTILE },
      { decision: decision('reject', 'submitted', { comment: HOSTILE }), asked: [{ userId: 'u1', name: HOSTILE }, { userId: 'u2' }] },
    ),
  'case-found': () => azure({}, { supportCase: { kind: 'found', case: { caseNumber: '2603140010004521', status: 'Open', title: HOSTILE, openedBy: { name: HOSTILE } }, checkedAt: at(-5), required: true } }),
  'case-closed': () => azure({}, { supportCase: { kind: 'found', case: { caseNumber: '2603140010004521', status: 'Closed', title: 'x', openedBy: {} }, checkedAt: at(-5), required: true } }),
  'case-failed': () => azure({}, { supportCase: { kind: 'failed', caseNumber: '1', reason: HOSTILE, cause: 'outage', checkedAt: at(-5) } }),
  'case-none': () => azure({}, { supportCase: { kind: 'no-case', checkedAt: at(-5), required: true } }),
};
const LOCALES = ['en-US', 'nl-NL', 'de-DE', undefined];
const NOTICES: (Notice | undefined)[] = [undefined, { text: 'Already approved by Megan Bowen', style: 'accent' }, { text: ` ${HOSTILE}\n`, style: 'warning' }];
const FITS: CardFit[] = ['full', 'shortened', 'compact'];
const READERS = [ALEX.aadObjectId, MEGAN.aadObjectId];

const fastRequest = compileTemplate(TEMPLATES.request)!;
const same = (a: unknown, b: unknown) => assert.equal(JSON.stringify(a), JSON.stringify(b));

describe('cards expanded without the template engine', () => {
  it('covers the request, notice and confirmation cards; templates with forms it does not know stay with the engine', () => {
    assert.deepEqual([...FAST_TEMPLATES].sort(), ['confirm', 'notice', 'request']);
    for (const name of ['help', 'history', 'status', 'choose'] as const) assert.equal(compileTemplate(TEMPLATES[name]), undefined, name);
    for (const template of [{ $data: '${items}', text: '${x}' }, { text: "${x == 'a'}" }, { text: '${x}${y()}' }, { $when: 'true' }, { text: '${$root.x}' }, ['${list}'], { text: '`${x}`' }]) {
      assert.equal(compileTemplate(template), undefined, JSON.stringify(template));
    }
  });

  it('draws every request card byte for byte as the engine does: each state, language, notice, fit and reader', () => {
    let compared = 0;
    for (const [state, make] of Object.entries(VARIANTS)) {
      for (const locale of LOCALES) for (const notice of NOTICES) for (const fit of FITS) for (const userId of READERS) {
        const view = requestView(make(), NOW, notice, { locale, userId }, fit);
        const fast = fastRequest(view);
        assert.notEqual(fast, undefined, `${state} ${locale} left to the engine`);
        assert.equal(JSON.stringify(fast), JSON.stringify(engineRender('request', view)), `${state} ${locale} ${fit}`);
        compared++;
      }
    }
    assert.equal(compared, Object.keys(VARIANTS).length * LOCALES.length * NOTICES.length * FITS.length * READERS.length);
  });

  it('draws notice and confirmation cards as the engine does, whatever their text', () => {
    for (const text of ['', 'plain', HOSTILE, '${title}', 'x'.repeat(5000)]) {
      const notice = { title: text, text, style: 'warning' };
      same(render('notice', notice), engineRender('notice', notice));
      const confirm = { id: text, title: text, text, style: 'attention', expiry: text, confirmStyle: 'destructive', confirmLabel: text, cancelLabel: 'Cancel' };
      same(render('confirm', confirm), engineRender('confirm', confirm));
    }
  });

  it('leaves to the engine any view the engine would read otherwise, and then gives the engine\'s card', () => {
    const view = requestView(STATES.approved(), NOW, NOTICES[1], { locale: 'de-DE' });
    const odd: Record<string, object> = {
      'a missing value': { ...view, headline: undefined },
      'a null where text goes': { ...view, kicker: null },
      'a key differing only in case': { ...view, Headline: 'other' },
      'a condition that is not a boolean': { ...view, actionable: 'yes' },
      'a number that JSON cannot write': { ...view, commentMaxLength: NaN, actionable: true },
      'a list where text goes': { ...view, words: { ...view.words, details: ['a'] } },
      'a nested object not made of plain data': { ...view, notice: new Map([['text', 'x']]) },
      'facts that are not a list': { ...view, facts: 'none' },
    };
    for (const [why, v] of Object.entries(odd)) {
      assert.equal(fastRequest(v), undefined, why);
      let engine: unknown;
      let ours: unknown;
      try {
        engine = JSON.stringify(engineRender('request', v));
      } catch (error) {
        engine = String(error);
      }
      try {
        ours = JSON.stringify(render('request', v));
      } catch (error) {
        ours = String(error);
      }
      assert.equal(ours, engine, why);
    }
  });

  it('follows the engine on the forms it compiles: dropped items, kept nulls, spliced lists, constants', () => {
    const template = {
      $schema: 'x',
      list: [{ $when: '${no}', a: 1 }, null, [1, [2]], 'text', { $when: '${yes}', b: '${n}' }, { c: 'x ${s} y ${t.u}' }],
      dropped: { $when: '${!yes}', d: 1 },
      counted: { $when: '${count(items) > 0}', e: '${items}' },
      empty: {},
      nothing: null,
      checks: [{ $when: "${s != ''}", f: true }, { $when: '${gone != null}', g: false }, { $when: '${t != null}', h: 0 }],
    };
    const view = { no: false, yes: true, n: 7, s: 'S', t: { u: 'U' }, items: [{ k: 1 }], gone: null };
    same(compileTemplate(template)!(view), new ACData.Template(template).expand({ $root: view }));
  });

  it('gives each card its own objects, so changing one card changes no other', () => {
    const tracked = STATES.pending();
    const first = requestCard(tracked, NOW, undefined, { locale: 'en-US' });
    (first.body as { type: string }[])[0]!.type = 'changed';
    assert.notEqual((requestCard(tracked, NOW, undefined, { locale: 'en-US' }).body as { type: string }[])[0]!.type, 'changed');
  });
});
