import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Confirmation } from '../domain/admin';
import type { AuditEntry, CardCopy, Conversation, Delivery, Store, Versioned } from '../domain/ports';
import { isOpen, type TrackedRequest } from '../domain/tracked';
import { CardNotClaimed, CorruptRecord } from './errors';
import { ParsedRows } from './parsed-rows';
import { migrate } from './sqlite-schema';

interface RequestRow { key: string; body: string; etag: string }
interface BodyRow { key: string; body: string }
interface AuditRow { seq: number; body: string }
interface CardRow { request_key: string; user_id: string; conversation_id: string; activity_id: string | null; posted_at: string | null }

const BUSY_TIMEOUT_MS = 5000;
/** Rows whose parsed values are kept: more than the open requests and queued deliveries of a busy tenant. */
const PARSED_REQUESTS = 500;
const PARSED_DELIVERIES = 2000;

function parse<T>(table: string, row: BodyRow): T {
  try {
    return JSON.parse(row.body) as T;
  } catch (error) {
    throw new CorruptRecord(table, row.key, error);
  }
}

function toCard(row: CardRow): CardCopy {
  const copy: CardCopy = { requestKey: row.request_key, userId: row.user_id, conversationId: row.conversation_id };
  if (row.activity_id !== null) copy.activityId = row.activity_id;
  if (row.posted_at !== null) copy.postedAt = row.posted_at;
  return copy;
}

/** The Store port on a local SQLite file. Synchronous underneath; async so it is interchangeable with network backends. */
export class SqliteStore implements Store {
  private readonly statements;
  private readonly insertDeliveries: (deliveries: readonly Delivery[]) => boolean[];
  private readonly replaceAudited: (request: TrackedRequest, etag: string, wasOpen: number, audit: readonly AuditEntry[]) => string | undefined;
  // Requests and queued deliveries are read far more often than they change (every click, every look at the queue).
  private readonly requests = new ParsedRows<TrackedRequest>('requests', PARSED_REQUESTS);
  private readonly deliveries = new ParsedRows<Delivery>('deliveries', PARSED_DELIVERIES);

  private constructor(private readonly db: Database.Database) {
    this.insertDeliveries = db.transaction((deliveries: readonly Delivery[]) => deliveries.map((d) => this.insertDelivery(d)));
    this.replaceAudited = db.transaction((request: TrackedRequest, etag: string, wasOpen: number, audit: readonly AuditEntry[]) => {
      const next = this.replaceRow(request, etag, wasOpen);
      if (next) for (const entry of audit) this.insertAudit(entry);
      return next;
    });
    this.statements = {
      getRequest: db.prepare<[string], RequestRow>('SELECT key, body, etag FROM requests WHERE key = ?'),
      requestVersion: db.prepare<[string], { etag: string; open: number }>('SELECT etag, open FROM requests WHERE key = ?'),
      insertRequest: db.prepare(
        'INSERT INTO requests (key, body, etag, open, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
      ),
      replaceRequest: db.prepare(
        'UPDATE requests SET body = ?, etag = ?, open = ?, updated_at = ? WHERE key = ? AND etag = ?',
      ),
      // Most writes leave a request open as it was: without `open` in the SET its index is not rewritten.
      replaceRequestBody: db.prepare('UPDATE requests SET body = ?, etag = ?, updated_at = ? WHERE key = ? AND etag = ?'),
      listOpenRequests: db.prepare<[], RequestRow>('SELECT key, body, etag FROM requests WHERE open = 1 ORDER BY key'),
      saveConversation: db.prepare(
        'INSERT INTO conversations (user_id, body) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET body = excluded.body',
      ),
      getConversation: db.prepare<[string], BodyRow>('SELECT user_id AS key, body FROM conversations WHERE user_id = ?'),
      listConversations: db.prepare<[], BodyRow>('SELECT user_id AS key, body FROM conversations ORDER BY user_id'),
      removeConversation: db.prepare('DELETE FROM conversations WHERE user_id = ?'),
      claimCard: db.prepare(
        `INSERT INTO cards (request_key, user_id, conversation_id, activity_id, posted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (request_key, user_id) DO NOTHING`,
      ),
      completeCard: db.prepare('UPDATE cards SET activity_id = ?, posted_at = ? WHERE request_key = ? AND user_id = ?'),
      releaseCard: db.prepare('DELETE FROM cards WHERE request_key = ? AND user_id = ? AND activity_id IS NULL'),
      listCards: db.prepare<[string], CardRow>('SELECT * FROM cards WHERE request_key = ? ORDER BY user_id'),
      appendAudit: db.prepare('INSERT INTO audit (at, request_key, kind, body) VALUES (?, ?, ?, ?)'),
      listAudit: db.prepare<[string | null, string | null, string | null, string | null, number], AuditRow>(
        `SELECT seq, body FROM audit
         WHERE (? IS NULL OR request_key = ?) AND (? IS NULL OR kind IN (SELECT value FROM json_each(?)))
         ORDER BY seq DESC LIMIT ?`,
      ),
      auditPage: db.prepare<[number, number], AuditRow>('SELECT seq, body FROM audit WHERE seq > ? ORDER BY seq LIMIT ?'),
      recordCard: db.prepare(
        `INSERT INTO cards (request_key, user_id, conversation_id, activity_id, posted_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (request_key, user_id) DO UPDATE SET conversation_id = excluded.conversation_id, activity_id = excluded.activity_id, posted_at = excluded.posted_at`,
      ),
      saveConfirmation: db.prepare('INSERT INTO confirmations (id, body, expires_at) VALUES (?, ?, ?)'),
      takeConfirmation: db.prepare<[string], { body: string }>('DELETE FROM confirmations WHERE id = ? RETURNING body'),
      dropExpiredConfirmations: db.prepare('DELETE FROM confirmations WHERE expires_at < ?'),
      // One statement: create, take over an expired lease, or renew one's own; anything else changes nothing.
      acquireLease: db.prepare(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
      ),
      releaseLease: db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?'),
      enqueueDelivery: db.prepare(
        `INSERT INTO deliveries (id, body, etag, priority, due_by, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ),
      nextDeliveries: db.prepare<[string, number], RequestRow>(
        `SELECT id AS key, body, etag FROM deliveries WHERE available_at <= ?
         ORDER BY priority, due_by, enqueued_at, id LIMIT ?`,
      ),
      replaceDelivery: db.prepare('UPDATE deliveries SET body = ?, etag = ?, priority = ?, due_by = ?, available_at = ? WHERE id = ? AND etag = ?'),
      removeDelivery: db.prepare('DELETE FROM deliveries WHERE id = ?'),
      countDeliveries: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM deliveries'),
      ping: db.prepare('SELECT 1'),
    };
  }

  /** Opens (creating if needed) the database at `file`, or an in-memory one for ':memory:', and migrates its schema. */
  static open(file: string): SqliteStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async getRequest(key: string): Promise<Versioned<TrackedRequest> | undefined> {
    const row = this.statements.getRequest.get(key);
    return row && this.toVersioned(row);
  }

  async insertRequest(request: TrackedRequest): Promise<boolean> {
    const body = JSON.stringify(request);
    const { changes } = this.statements.insertRequest.run(request.key, body, randomUUID(), isOpen(request) ? 1 : 0, request.updatedAt);
    if (changes === 1) this.requests.wrote(request.key, body, request);
    return changes === 1;
  }

  async replaceRequest(request: TrackedRequest, etag: string, audit: readonly AuditEntry[] = []): Promise<string | undefined> {
    // Of several clicks on one request all but the first write fail: they fail here, before the request and its
    // audit entries are serialised and a transaction begun. The UPDATE still compares the etag itself.
    const current = this.statements.requestVersion.get(request.key);
    if (current?.etag !== etag) return undefined;
    // The etag names one write, so if the UPDATE matches it the row is still open as read here.
    return audit.length ? this.replaceAudited(request, etag, current.open, audit) : this.replaceRow(request, etag, current.open);
  }

  private replaceRow(request: TrackedRequest, etag: string, wasOpen: number): string | undefined {
    const next = randomUUID();
    const body = JSON.stringify(request);
    const open = isOpen(request) ? 1 : 0;
    const { changes } = open === wasOpen
      ? this.statements.replaceRequestBody.run(body, next, request.updatedAt, request.key, etag)
      : this.statements.replaceRequest.run(body, next, open, request.updatedAt, request.key, etag);
    if (changes !== 1) return undefined;
    // The writer reads it back at once more often than not (the next step of a click, the card sync).
    this.requests.wrote(request.key, body, request);
    return next;
  }

  async listOpenRequests(): Promise<Versioned<TrackedRequest>[]> {
    return this.statements.listOpenRequests.all().map((row) => this.toVersioned(row));
  }

  async saveConversation(conversation: Conversation): Promise<void> {
    this.statements.saveConversation.run(conversation.userId, JSON.stringify(conversation));
  }

  async getConversation(userId: string): Promise<Conversation | undefined> {
    const row = this.statements.getConversation.get(userId);
    return row && parse<Conversation>('conversations', row);
  }

  async removeConversation(userId: string): Promise<void> {
    this.statements.removeConversation.run(userId);
  }

  async listConversations(): Promise<Conversation[]> {
    return this.statements.listConversations.all().map((row) => parse<Conversation>('conversations', row));
  }

  async claimCard(copy: CardCopy): Promise<boolean> {
    const { changes } = this.statements.claimCard.run(
      copy.requestKey, copy.userId, copy.conversationId, copy.activityId ?? null, copy.postedAt ?? null,
    );
    return changes === 1;
  }

  async completeCard(requestKey: string, userId: string, activityId: string, postedAt: string): Promise<void> {
    const { changes } = this.statements.completeCard.run(activityId, postedAt, requestKey, userId);
    if (changes === 0) throw new CardNotClaimed(requestKey, userId);
  }

  async releaseCard(requestKey: string, userId: string): Promise<void> {
    this.statements.releaseCard.run(requestKey, userId);
  }

  async listCards(requestKey: string): Promise<CardCopy[]> {
    return this.statements.listCards.all(requestKey).map(toCard);
  }

  async *exportAudit(): AsyncIterable<AuditEntry> {
    // Pages by sequence number rather than one long-running statement, so writers are never blocked for long.
    for (let after = 0; ; ) {
      const rows = this.statements.auditPage.all(after, 500);
      if (!rows.length) return;
      for (const row of rows) yield parse<AuditEntry>('audit', { key: String(row.seq), body: row.body });
      after = rows.at(-1)!.seq;
    }
  }

  async recordCard(copy: Required<CardCopy>): Promise<void> {
    this.statements.recordCard.run(copy.requestKey, copy.userId, copy.conversationId, copy.activityId, copy.postedAt);
  }

  async saveConfirmation(confirmation: Confirmation, now: Date): Promise<void> {
    // Old, unanswered confirmations would otherwise pile up forever.
    this.statements.dropExpiredConfirmations.run(now.toISOString());
    this.statements.saveConfirmation.run(confirmation.id, JSON.stringify(confirmation), confirmation.expiresAt);
  }

  async takeConfirmation(id: string): Promise<Confirmation | undefined> {
    const row = this.statements.takeConfirmation.get(id);
    return row ? parse<Confirmation>('confirmations', { key: id, body: row.body }) : undefined;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.insertAudit(entry);
  }

  private insertAudit(entry: AuditEntry): void {
    // The whole entry goes in body so fields added to AuditEntry later survive; the columns are for filtering.
    this.statements.appendAudit.run(entry.at, entry.requestKey ?? null, entry.kind, JSON.stringify(entry));
  }

  async listAudit(query: { requestKey?: string; kinds?: AuditEntry['kind'][]; limit: number }): Promise<AuditEntry[]> {
    // SQLite reads a negative LIMIT as "no limit", which would turn a caller's bug into a full scan.
    if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
      throw new RangeError(`Audit limit must be a non-negative integer, got ${query.limit}.`);
    }
    const key = query.requestKey ?? null;
    const kinds = query.kinds ? JSON.stringify(query.kinds) : null;
    const rows = this.statements.listAudit.all(key, key, kinds, kinds, query.limit);
    return rows.map((row) => parse<AuditEntry>('audit', { key: String(row.seq), body: row.body }));
  }

  async enqueueDelivery(d: Delivery): Promise<boolean> {
    return this.insertDelivery(d);
  }

  async enqueueDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]> {
    // One transaction: one commit (one sync to disk) for all of them, and none queued if any fails.
    return this.insertDeliveries(deliveries);
  }

  private insertDelivery(d: Delivery): boolean {
    const { changes } = this.statements.enqueueDelivery.run(d.id, JSON.stringify(d), randomUUID(), d.priority, d.dueBy, d.enqueuedAt, d.availableAt);
    return changes === 1;
  }

  async nextDeliveries(now: Date, limit: number): Promise<Versioned<Delivery>[]> {
    return this.statements.nextDeliveries.all(now.toISOString(), limit).map((row) => ({ value: this.deliveries.read(row.key, row.body), etag: row.etag }));
  }

  async replaceDelivery(d: Delivery, etag: string): Promise<string | undefined> {
    const next = randomUUID();
    const body = JSON.stringify(d);
    const { changes } = this.statements.replaceDelivery.run(body, next, d.priority, d.dueBy, d.availableAt, d.id, etag);
    if (changes !== 1) return undefined;
    this.deliveries.wrote(d.id, body, d);
    return next;
  }

  async removeDelivery(id: string): Promise<void> {
    this.statements.removeDelivery.run(id);
    this.deliveries.forget(id);
  }

  async countDeliveries(): Promise<number> {
    return this.statements.countDeliveries.get()!.n;
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const at = now.getTime();
    return this.statements.acquireLease.run(name, holder, at + ttlMs, at).changes === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.statements.releaseLease.run(name, holder);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  private toVersioned(row: RequestRow): Versioned<TrackedRequest> {
    return { value: this.requests.read(row.key, row.body), etag: row.etag };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
