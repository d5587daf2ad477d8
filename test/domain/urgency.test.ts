import assert from 'node:assert/strict';
import { DEFAULT_REMINDERS, milestones, urgency } from '../../src/domain/escalation';
import type { SourceKind } from '../../src/domain/request';

const HOUR = 3_600_000;
const CREATED = Date.parse('2026-11-30T08:00:00Z');

/** The card's header changes colour and wording at the very moments reminders go out (#17). */
describe('urgency, in step with the reminders', () => {
  const cases: { source: SourceKind; lifeHours: number }[] = [{ source: 'azure', lifeHours: 96 }, { source: 'm365', lifeHours: 12 }];
  for (const { source, lifeHours } of cases) {
    const request = { source, createdAt: new Date(CREATED).toISOString(), expiresAt: new Date(CREATED + lifeHours * HOUR).toISOString() };
    const reminders = milestones(request, DEFAULT_REMINDERS).filter((m) => m.kind === 'reminder');
    const at = (ms: number) => urgency(request, new Date(ms));

    it(`turns 'soon' exactly when the last share-of-life reminder is due (${source}, ${lifeHours} h)`, () => {
      const last = reminders.find((m) => m.id === 'elapsed-80')!;
      assert.equal(at(last.at - 1), 'calm');
      assert.equal(at(last.at), 'soon');
    });

    it(`turns 'urgent' in the last hour${source === 'm365' ? ', when the before-expiry reminder goes out' : ''} (${source})`, () => {
      const expires = Date.parse(request.expiresAt);
      assert.equal(at(expires - HOUR - 1), 'soon');
      assert.equal(at(expires - HOUR), 'urgent');
      if (source === 'm365') assert.equal(reminders.at(-1)!.at, expires - HOUR, 'the last reminder is the one that makes it urgent');
    });
  }
});
