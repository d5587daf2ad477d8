import type { SourceKind } from './request';

export type SwitchAction = 'enable' | 'disable';

/** An admin's "are you sure?" for turning Customer Lockbox on or off: valid once, for that person, for a few minutes. */
export interface Confirmation {
  id: string;
  userId: string;
  action: SwitchAction;
  source: SourceKind;
  expiresAt: string;
}
