export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  at: string;
  status: number;
  /** Exchange Online admin API only: the cmdlet in the body, and the X-AnchorMailbox header as sent. */
  cmdlet?: string;
  anchorMailbox?: string;
}

/** Keeps the newest upstream calls; bounded because the embedded simulator runs as long as the bot. */
export class CallRecorder {
  private calls: RecordedCall[] = [];

  constructor(private readonly limit = 5000) {}

  record(call: RecordedCall): void {
    this.calls.push(call);
    // Trimmed once it holds twice the limit, not on every call past it: a full log would otherwise move 5,000 entries a call.
    if (this.calls.length >= 2 * this.limit) this.calls.splice(0, this.calls.length - this.limit);
  }

  list(): RecordedCall[] {
    return this.calls.slice(-this.limit).map((c) => ({ ...c, query: { ...c.query } }));
  }

  clear(): void {
    this.calls = [];
  }
}
