/** A stored record could not be read back; names where it lives so someone can repair or remove it. */
export class CorruptRecord extends Error {
  constructor(readonly table: string, readonly key: string, cause: unknown) {
    super(`Stored ${table} record ${JSON.stringify(key)} is corrupt: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CorruptRecord';
  }
}

/** completeCard was called for a card nobody claimed, so the posted card would be lost from tracking. */
export class CardNotClaimed extends Error {
  constructor(readonly requestKey: string, readonly userId: string) {
    super(`No claim on the card of request ${requestKey} for user ${userId}.`);
    this.name = 'CardNotClaimed';
  }
}
