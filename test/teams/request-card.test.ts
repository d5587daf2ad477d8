import assert from 'node:assert/strict';
import { AlreadyDecided, NotAnApprover } from '../../src/domain/errors';
import type { Store } from '../../src/domain/ports';
import type { TrackedRequest } from '../../src/domain/tracked';
import { noticeCard, requestCard, type AdaptiveCard } from '../../src/teams/cards/render';
import { cardBytes, CARD_BUDGET_BYTES } from '../../src/teams/cards/size';
import { cardForError } from '../../src/teams/error-cards';
import { CATALOGUES, t, type MessageKey } from '../../src/teams/i18n';
import { en } from '../../src/teams/i18n/en';
import { caseOpenerCard } from '../../src/teams/case-opener-cards';
import { ALEX, azure, decision, m365, MEGAN, NOW, STATES } from '../support/card-fixtures';

const LOCALES = ['en-US', 'nl-NL', 'de-DE'] as const;
const reader = (locale: string) => ({ locale, userId: ALEX.aadObjectId });

/** Every text a person reads on the card, whatever element holds it. */
function texts(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => texts(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (['text', 'title', 'value', 'label'].includes(key) && typeof value === 'string') found.push(value);
      else texts(value, found);
    }
  }
  return found;
}

const header = (card: AdaptiveCard) => (card.body as { style?: string; items: { text: string }[] }[])[0]!;
const verbs = (card: AdaptiveCard) => JSON.stringify(card.actions ?? []).match(/lockbox\.(approve|reject)/g) ?? [];

async function refusedCard(tracked: TrackedRequest, locale: string): Promise<AdaptiveCard> {
  const store = { getRequest: async () => ({ value: tracked, etag: '1' }) } as unknown as Store;
  const subscription = { id: tracked.request.subscriptionId!, name: tracked.request.subscriptionName! };
  return cardForError(new NotAnApprover(['Owner', 'Azure Customer Lockbox Approver for Subscription'], 'no-role', 'azure-subscription', subscription), { store, now: NOW, actor: ALEX, requestKey: tracked.key, locale });
}

interface Expectation {
  style: string;
  /** Keys whose text (up to its first placeholder) the card shows. */
  shows: MessageKey[];
  buttons: boolean;
}

const EXPECTED: Record<keyof typeof STATES | 'refused', Expectation> = {
  pending: { style: 'emphasis', shows: ['kicker', 'ask.headline', 'ask.decideBy', 'supportCase.checking', 'request.fact.alsoAsked'], buttons: true },
  'pending-m365': { style: 'emphasis', shows: ['ask.headlineAnyLevel', 'ask.decideBy', 'request.fact.supportCase', 'request.fact.askedBy'], buttons: true },
  urgent: { style: 'attention', shows: ['kicker.urgent', 'ask.headline'], buttons: true },
  soon: { style: 'warning', shows: ['kicker.soon', 'ask.headline'], buttons: true },
  'first-of-two': { style: 'emphasis', shows: ['request.firstApproval', 'ask.headline'], buttons: true },
  sending: { style: 'accent', shows: ['state.sendingApproval', 'request.approvedBy'], buttons: false },
  approved: { style: 'good', shows: ['state.approved', 'state.canReadUntil', 'request.approvedBy'], buttons: false },
  'approved-by-two': { style: 'good', shows: ['state.approved', 'request.approvedByBoth'], buttons: false },
  'approved-m365': { style: 'good', shows: ['state.approved', 'state.canAccess'], buttons: false },
  rejected: { style: 'attention', shows: ['state.rejected', 'state.rejectedMeans', 'request.rejectedBy'], buttons: false },
  failed: { style: 'attention', shows: ['state.failed', 'state.failedNothingSent'], buttons: true },
  expired: { style: 'default', shows: ['state.expired', 'state.expiredMeans'], buttons: false },
  gone: { style: 'default', shows: ['state.gone', 'state.goneSince'], buttons: false },
  // A refusal says which rule the clicker does not meet and nothing about the request (#14).
  refused: { style: 'attention', shows: ['refusal.notApprover.title', 'refusal.notApprover.onSubscription'], buttons: false },
};

/** The fixed part of a catalogue text: what comes before its first placeholder. */
function stem(locale: string, key: MessageKey): string {
  return t(locale, key, { count: 2 }).split('{')[0]!.split('**')[0]!.trim();
}

describe('the request card in each state and language', () => {
  for (const locale of LOCALES) {
    describe(locale, () => {
      for (const [state, expected] of Object.entries(EXPECTED)) {
        it(`shows the ${state} state in words, ${expected.buttons ? 'with' : 'without'} the buttons`, async () => {
          const tracked = state === 'refused' ? STATES.pending() : STATES[state as keyof typeof STATES]();
          const card = state === 'refused' ? await refusedCard(tracked, locale) : requestCard(tracked, NOW, undefined, reader(locale));
          const shown = texts(card).join('\n');
          assert.equal(header(card).style, expected.style, 'header colour');
          for (const key of expected.shows) assert.ok(shown.includes(stem(locale, key)), `shows ${key} ("${stem(locale, key)}")`);
          assert.equal(verbs(card).length > 0, expected.buttons);
          if (expected.buttons) {
            assert.deepEqual(((card.actions ?? []) as { title: string }[]).slice(0, 2).map((a) => a.title), [t(locale, 'request.approve'), t(locale, 'request.reject')]);
          }
          assert.doesNotMatch(JSON.stringify(card), /\$\{/, 'every template expression was expanded');
          if (locale !== 'en-US') {
            const language = locale.slice(0, 2) as keyof typeof CATALOGUES;
            const english = (Object.keys(en) as MessageKey[]).filter((k) => stem('en', k).length >= 12 && stem('en', k) !== stem(language, k)).map((k) => stem('en', k));
            // Role names are Microsoft's, in every language.
            const words = shown.replace(/Azure Customer Lockbox Approver for Subscription/g, '');
            assert.deepEqual(english.filter((e) => words.includes(e)), [], 'no English left on the card');
          }
        });
      }
    });
  }

  it('names two of the others asked and counts the rest, never the reader', () => {
    const shown = texts(requestCard(STATES.pending(), NOW, undefined, reader('en-US'))).join('\n');
    assert.ok(shown.includes('Megan Bowen, Isaiah Langer (+4)'), shown);
    assert.ok(!/Also asked[^\n]*Alex Wilber/.test(shown));
  });

  it('says who asks, when Microsoft says (the Microsoft 365 Requestor)', () => {
    assert.ok(texts(requestCard(STATES['pending-m365'](), NOW)).includes('Microsoft Support Engineer (Exchange Online escalation team, EMEA)'));
  });

  it('keeps identifiers under Details: the request id and the subscription id are not on the first screen', () => {
    const card = requestCard(STATES.pending(), NOW);
    const body = card.body as { id?: string; isVisible?: boolean }[];
    const firstScreen = JSON.stringify(body.filter((b) => b.id !== 'details'));
    const details = JSON.stringify(body.find((b) => b.id === 'details'));
    for (const id of ['8c2f4b1e-7a3d-4e9f-b6c5-2d1e0f9a8b7c', '7d1c2a4e-5b3f-4c8d-9e6a-1f2b3c4d5e6f']) {
      assert.ok(!firstScreen.includes(id), `${id} is not up front`);
      assert.ok(details.includes(id), `${id} is under Details`);
    }
    assert.ok(details.includes('Payments-Prod-WestEurope-Finance'), 'the subscription by its name');
    assert.equal(body.find((b) => b.id === 'details')!.isVisible, false);
    assert.ok(JSON.stringify(card.body).includes('"selectAction":{"type":"Action.ToggleVisibility","title":"Details","targetElements":["details"]}'), 'one tap on Details shows them');
  });

  it('puts the comment box behind "Add a comment", whose buttons carry the same verbs', () => {
    const card = requestCard(STATES.pending(), NOW);
    assert.ok(!JSON.stringify(card.body).includes('Input.Text'), 'no comment box on the first screen');
    const show = (card.actions as { type: string; card?: { body: { type: string }[]; actions: { verb: string }[] } }[]).find((a) => a.type === 'Action.ShowCard')!;
    assert.equal(show.card!.body[0]!.type, 'Input.Text');
    assert.deepEqual(show.card!.actions.map((a) => a.verb), ['lockbox.approve', 'lockbox.reject']);
  });
});

describe('times on cards', () => {
  // A DATE()/TIME() function the Teams client formats in the reader's own time zone and locale.
  const FUNCTION = /\{\{(DATE\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z, SHORT\)|TIME\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\))\}\}/g;
  const RAW_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b\d{1,2}:\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b/;

  it('(the check itself) finds a time written out', () => {
    assert.match('Decide by 14/03/2026 16:07'.replace(FUNCTION, ''), RAW_TIME);
    assert.match('until 2026-03-14T16:07:00Z'.replace(FUNCTION, ''), RAW_TIME);
  });

  for (const locale of LOCALES) {
    it(`shows every time through {{DATE}}/{{TIME}} in every state (${locale})`, () => {
      let functions = 0;
      for (const [state, make] of Object.entries(STATES)) {
        for (const text of texts(requestCard(make(), NOW, undefined, reader(locale)))) {
          functions += text.match(FUNCTION)?.length ?? 0;
          assert.doesNotMatch(text.replace(FUNCTION, ''), RAW_TIME, `${state}: "${text}"`);
        }
      }
      assert.ok(functions > 20, `the cards show times (${functions})`);
    });
  }

  it('puts "Decide by" and the access end through the functions', () => {
    const pending = texts(requestCard(STATES.pending(), NOW)).join('\n');
    assert.match(pending, /Decide by \{\{DATE\(2026-03-18T07:55:00Z, SHORT\)\}\} \{\{TIME\(2026-03-18T07:55:00Z\)\}\} · 3 d 22 h left/);
    const approved = texts(requestCard(STATES.approved(), NOW)).join('\n');
    // Completed at 09:29; 8 hours of access from then.
    assert.match(approved, /Microsoft can read \*\*VM-SQL-PROD-WESTEUROPE-01 and 1 more\*\* until \{\{DATE\(2026-03-14T17:29:00Z, SHORT\)\}\} \{\{TIME\(2026-03-14T17:29:00Z\)\}\}/);
  });
});

describe('values outside sane bounds, in words', () => {
  // An expiry in the past makes the request expired; one years ahead is a bad field.
  const BAD_EXPIRIES = ['9999-12-31T00:00:00.000Z', '2031-03-14T09:30:00.000Z'];
  const headerText = (card: AdaptiveCard) => texts(header(card)).join('\n');

  for (const locale of LOCALES) {
    for (const expiresAt of BAD_EXPIRIES) {
      it(`says the time left is unknown, and puts what Microsoft sent under Details, for an expiry of ${expiresAt} (${locale})`, () => {
        const card = requestCard(azure({ expiresAt, durationHours: -8 }), NOW, undefined, reader(locale));
        const top = headerText(card);
        assert.ok(top.includes(t(locale, 'request.expiryUnknown')), top);
        assert.ok(top.includes(stem(locale, 'ask.durationUnknown')), top);
        assert.ok(!top.includes(expiresAt), 'the raw expiry is not in the headline');
        assert.ok(texts(card).includes(t(locale, 'request.unknownValue', { raw: expiresAt })), 'it is under Details, beside "Expires"');
        assert.doesNotMatch(texts(card).join('\n'), /-8 (hours|uur|Stunden)|\d{5,} d/);
      });

      it(`says the time left is unknown on a Microsoft 365 request decided in the admin center, with an expiry of ${expiresAt} (${locale})`, () => {
        const top = headerText(requestCard(m365({ expiresAt, decideInPortal: true }), NOW, undefined, reader(locale)));
        assert.ok(top.includes(t(locale, 'state.decideInAdminCenterNoExpiry')), top);
        assert.ok(!top.includes(stem(locale, 'request.unknownValue')), 'no "Unknown (…) left"');
      });
    }

    for (const durationHours of [1e20, -8]) {
      it(`draws an approved request whose duration Microsoft sent as ${durationHours} hours without an end of access, rather than failing or inventing one (${locale})`, () => {
        const card = requestCard(azure({ status: 'Approved', durationHours }, { decision: decision('approve', 'submitted') }), NOW, undefined, reader(locale));
        const top = headerText(card);
        assert.ok(top.includes(t(locale, 'state.canRead', { resource: '' }).split('****')[1]!.trim()), top);
        assert.ok(!top.includes('{{DATE('), 'no date the access would end');
      });
    }

    it(`tells a case opener the expiry is unknown rather than a date in the year 9999, and never "-8 hours" (${locale})`, () => {
      const text = texts(caseOpenerCard(azure({ expiresAt: '9999-12-31T00:00:00.000Z', durationHours: -8 }), locale)).join('\n');
      assert.ok(text.includes(t(locale, 'caseOpener.waitingNoExpiry')), text);
      assert.ok(text.includes(t(locale, 'caseOpener.hoursUnknown')), text);
      assert.doesNotMatch(text, /9999|-8/);
    });
  }
});

describe('notice cards', () => {
  it('stay within the size budget whatever text they are given (an information card naming a 100 KB resource id)', () => {
    const card = noticeCard('t'.repeat(10_000), `Azure · ${'\u{1F600}'.repeat(100_000)}`, 'accent');
    assert.ok(cardBytes(card) <= CARD_BUDGET_BYTES, `${cardBytes(card)} bytes`);
    assert.match(JSON.stringify(card), /Azure · /);
  });
});

describe('the answer to a click on a decided request', () => {
  it('is drawn from the request its attempt read, without reading the store again', async () => {
    const tracked = STATES.sending();
    let reads = 0;
    const store = { getRequest: async () => (reads++, { value: tracked, etag: '1' }) } as unknown as Store;
    const card = await cardForError(new AlreadyDecided(tracked.decision!, tracked), { store, now: NOW, actor: MEGAN, requestKey: tracked.key, verdict: 'reject', locale: 'en-US' });
    assert.equal(reads, 0);
    assert.match(JSON.stringify(card), /Already approved by/);
    assert.equal(header(card).style, EXPECTED.sending.style, 'the whole request card, with the notice');
  });
});
