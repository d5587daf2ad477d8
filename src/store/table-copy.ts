import Database from 'better-sqlite3';
import type { AuditEntry, CardCopy, Conversation } from '../domain/ports';
import { canonicalKey } from '../domain/request';
import type { TrackedRequest } from '../domain/tracked';
import { CorruptRecord } from './errors';
import type { TableStore } from './table';

export interface CopyCount {
  copied: number;
  /** Already in the destination, left as they were there (they may be newer). */
  present: number;
}

export type CopyReport = Record<'requests' | 'conversations' | 'cards' | 'audit', CopyCount>;

interface CardRow { request_key: string; user_id: string; conversation_id: string; activity_id: string | null; posted_at: string | null }

function parse<T>(table: string, key: string, body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch (error) {
    throw new CorruptRecord(table, key, error);
  }
}

const tally = (count: CopyCount, copied: boolean) => (copied ? count.copied++ : count.present++);

/**
 * Copies an embedded SQLite store into a Table store, creating only what is missing, so it can run again
 * (after a failure, or to catch up) without duplicating or overwriting anything. Confirmations last
 * minutes and leases belong to running instances: neither is copied. Keys an older build stored in another letter
 * case are copied in lower case, as the bot keeps them now.
 */
export async function copySqliteToTable(file: string, to: TableStore): Promise<CopyReport> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const report: CopyReport = { requests: { copied: 0, present: 0 }, conversations: { copied: 0, present: 0 }, cards: { copied: 0, present: 0 }, audit: { copied: 0, present: 0 } };
  try {
    for (const row of db.prepare<[], { key: string; body: string }>('SELECT key, body FROM requests ORDER BY key').iterate()) {
      const request = parse<TrackedRequest>('requests', row.key, row.body);
      tally(report.requests, await to.insertRequest({ ...request, key: canonicalKey(request.key) }));
    }
    for (const row of db.prepare<[], { key: string; body: string }>('SELECT user_id AS key, body FROM conversations ORDER BY user_id').iterate()) {
      const conversation = parse<Conversation>('conversations', row.key, row.body);
      const present = (await to.getConversation(conversation.userId)) !== undefined;
      if (!present) await to.saveConversation(conversation);
      tally(report.conversations, !present);
    }
    for (const row of db.prepare<[], CardRow>('SELECT * FROM cards ORDER BY request_key, user_id').iterate()) {
      const card: CardCopy = { requestKey: canonicalKey(row.request_key), userId: row.user_id, conversationId: row.conversation_id };
      if (row.activity_id !== null) card.activityId = row.activity_id;
      if (row.posted_at !== null) card.postedAt = row.posted_at;
      tally(report.cards, await to.claimCard(card));
    }
    for (const row of db.prepare<[], { seq: number; body: string }>('SELECT seq, body FROM audit ORDER BY seq').iterate()) {
      const entry = parse<AuditEntry>('audit', String(row.seq), row.body);
      tally(report.audit, await to.importAudit(entry.requestKey === undefined ? entry : { ...entry, requestKey: canonicalKey(entry.requestKey) }, row.seq));
    }
    return report;
  } finally {
    db.close();
  }
}
