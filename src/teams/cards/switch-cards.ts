import type { Confirmation, SwitchAction } from '../../domain/admin';
import type { SourceKind } from '../../domain/request';
import { CONFIRMATION_TTL_MS } from '../../domain/usecases/switch-lockbox';
import { t } from '../i18n';
import { render, type AdaptiveCard } from './render';
import { productName } from './text';

/** "Turn Customer Lockbox on/off for which product?", one button per watched product. */
export function chooseProductCard(action: SwitchAction, sources: SourceKind[], locale?: string): AdaptiveCard {
  return render('choose', {
    title: t(locale, action === 'disable' ? 'switch.chooseOff' : 'switch.chooseOn'),
    text: t(locale, 'switch.chooseText'),
    choices: sources.map((source) => ({ label: productName(source), action, source })),
  });
}

/** "Turn Customer Lockbox off for Azure?" with Confirm and Cancel, valid for the person who asked. */
export function confirmSwitchCard(confirmation: Confirmation, locale?: string): AdaptiveCard {
  const off = confirmation.action === 'disable';
  return render('confirm', {
    id: confirmation.id,
    title: t(locale, off ? 'switch.askOff' : 'switch.askOn', { product: productName(confirmation.source) }),
    text: t(locale, off ? 'switch.explainOff' : 'switch.explainOn'),
    style: off ? 'attention' : 'accent',
    confirmLabel: t(locale, off ? 'switch.turnOff' : 'switch.turnOn'),
    confirmStyle: off ? 'destructive' : 'positive',
    cancelLabel: t(locale, 'switch.cancel'),
    expiry: t(locale, 'switch.onlyYou', { minutes: CONFIRMATION_TTL_MS / 60_000 }),
  });
}
