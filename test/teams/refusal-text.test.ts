import assert from 'node:assert/strict';
import { NotAnAdmin, NotAnApprover } from '../../src/domain/errors';
import type { Store } from '../../src/domain/ports';
import { cardForError, textForError } from '../../src/teams/error-cards';
import { ALEX, NOW } from '../support/card-fixtures';

const store = { getRequest: async () => undefined } as unknown as Store;
const refusalOn = async (error: NotAnApprover, locale: string) =>
  JSON.stringify(await cardForError(error, { store, now: NOW, actor: ALEX, requestKey: 'azure:x:y', locale }));

const SUBSCRIPTION_ROLES = ['Owner', 'Azure Customer Lockbox Approver for Subscription'];
const PAYMENTS = { id: '00000000-0000-4000-8000-00000000a2b1', name: 'Payments-Prod' };

/** Each refusal names the roles once, in words; the subscription by name only when the core allows it. */
const CASES: { what: string; error: NotAnApprover | NotAnAdmin; texts: Record<'en' | 'nl' | 'de', string> }[] = [
  {
    what: 'a subscription-scoped request shown to the clicker',
    error: new NotAnApprover(SUBSCRIPTION_ROLES, 'no-role', 'azure-subscription', PAYMENTS),
    texts: {
      en: 'You need Owner or Azure Customer Lockbox Approver for Subscription on *Payments-Prod*, and you have neither.',
      nl: 'Je hebt Owner of Azure Customer Lockbox Approver for Subscription op *Payments-Prod* nodig, en je hebt geen van beide.',
      de: 'Sie benötigen Owner oder Azure Customer Lockbox Approver for Subscription im Abonnement *Payments-Prod*, und Sie haben keine der beiden Rollen.',
    },
  },
  {
    what: 'a subscription-scoped request whose subscription may not be named',
    error: new NotAnApprover(SUBSCRIPTION_ROLES, 'no-role', 'azure-subscription'),
    texts: {
      en: "You need Owner or Azure Customer Lockbox Approver for Subscription on the request's subscription, and you have neither.",
      nl: 'Je hebt Owner of Azure Customer Lockbox Approver for Subscription op het abonnement van het verzoek nodig, en je hebt geen van beide.',
      de: 'Sie benötigen Owner oder Azure Customer Lockbox Approver for Subscription im Abonnement der Anfrage, und Sie haben keine der beiden Rollen.',
    },
  },
  {
    what: 'a tenant-scoped Azure request',
    error: new NotAnApprover(['Global Administrator'], 'no-role', 'azure-tenant'),
    texts: {
      en: "You need Global Administrator, and you don't have it.",
      nl: 'Je hebt Global Administrator nodig, en die rol heb je niet.',
      de: 'Sie benötigen Global Administrator, und diese Rolle haben Sie nicht.',
    },
  },
  {
    what: 'a Microsoft 365 request',
    error: new NotAnApprover(['Customer LockBox Access Approver', 'Global Administrator'], 'no-role', 'm365'),
    texts: {
      en: 'You need Customer LockBox Access Approver or Global Administrator, and you have neither.',
      nl: 'Je hebt Customer LockBox Access Approver of Global Administrator nodig, en je hebt geen van beide.',
      de: 'Sie benötigen Customer LockBox Access Approver oder Global Administrator, und Sie haben keine der beiden Rollen.',
    },
  },
  {
    what: 'a role assigned too late, on a subscription shown to the clicker',
    error: new NotAnApprover(['Owner'], 'assigned-after-request', 'azure-subscription', PAYMENTS),
    texts: {
      en: 'Your Owner role on *Payments-Prod* was assigned after this request was created.',
      nl: 'Je rol Owner op *Payments-Prod* is toegewezen nadat dit verzoek is aangemaakt.',
      de: 'Ihre Rolle Owner im Abonnement *Payments-Prod* wurde zugewiesen, nachdem diese Anfrage erstellt wurde.',
    },
  },
  {
    what: 'an admin command',
    error: new NotAnAdmin(['Global Administrator']),
    texts: {
      en: "You need Global Administrator for that, and you don't have it. Nothing was changed.",
      nl: 'Daarvoor heb je Global Administrator nodig, en die rol heb je niet. Er is niets gewijzigd.',
      de: 'Dafür benötigen Sie Global Administrator, und diese Rolle haben Sie nicht. Es wurde nichts geändert.',
    },
  },
];

describe('refusals name the roles once, in words', () => {
  for (const { what, error, texts } of CASES) {
    for (const [language, text] of Object.entries(texts)) {
      it(`for ${what} (${language})`, async () => {
        const shown = error instanceof NotAnApprover ? await refusalOn(error, language) : textForError(error, language);
        assert.ok(shown.includes(JSON.stringify(text).slice(1, -1)), shown);
        for (const role of error.requiredRoles) assert.equal(shown.split(role).length - 1, 1, `${role} named once`);
      });
    }
  }

  it('puts a subscription name that looks like markup or a template in as text', async () => {
    const shown = await refusalOn(new NotAnApprover(SUBSCRIPTION_ROLES, 'no-role', 'azure-subscription', { id: PAYMENTS.id, name: '*Prod* {{DATE(x)}} [link](http://x)' }), 'en');
    assert.ok(!shown.includes('{{'), shown);
    assert.ok(shown.includes('\\\\*Prod\\\\*'), shown);
    assert.ok(shown.includes('\\\\[link\\\\]'), shown);
  });
});
