import { randomBytes } from 'node:crypto';
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { Confirmation } from '../domain/admin';
import type { AuditEntry, CardCopy, Clock, Conversation, Delivery, Store, Versioned } from '../domain/ports';
import { systemClock } from '../runtime/clock';
import { isOpen, type TrackedRequest } from '../domain/tracked';
import { CardNotClaimed } from './errors';
import { lowerCaseRequestKeys } from './table-lower-keys';
import { bodyProperties, definedOnly, escapeKey, mapLimited, readBody, refusedAs, unescapeKey } from './table-codec';

type Entity = TableEntityResult<Record<string, unknown>>;

/**
 * One table, one partition per hot query: every request (and an open marker per open request) under
 * 'request', chats under 'conversation', a request's cards under 'card:<requestKey>', the audit trail
 * under 'audit' in newest-first RowKey order, confirmations, leases and the delivery queue in their own partitions.
 */
const PARTITION = { request: 'request', conversation: 'conversation', confirmation: 'confirmation', lease: 'lease', audit: 'audit', delivery: 'delivery' };
const REQUEST = 'r:';
const OPEN = 'o:';
const OPEN_END = 'o;';
const cardPartition = (requestKey: string) => `card:${escapeKey(requestKey)}`;
/** Audit RowKeys count down from here, so the newest entry sorts first (good until the year 2255). */
const AUDIT_HORIZON = 9e15;
const READ_CONCURRENCY = 16;

/** A request's etag also says whether its open marker exists, so a replace knows whether to add or drop it. */
const versionTag = (open: boolean, etag: string) => `${open ? 'o' : 'c'}|${etag}`;
function parseTag(tag: string): { open: boolean; etag: string } | undefined {
  const match = /^([oc])\|(.+)$/.exec(tag);
  return match ? { open: match[1] === 'o', etag: match[2]! } : undefined;
}

/** The Store port on Azure Table Storage, shared by every instance; compare-and-set rides on the service's ETags. */
export class TableStore implements Store {
  private lastAuditSeq = 0;

  private constructor(private readonly client: TableClient, private readonly exportPageSize: number, private readonly clock: Clock) {}

  /** Creates the client's table if it is missing, and re-keys requests an older build stored in another letter case. */
  static async open(client: TableClient, options: { exportPageSize?: number; clock?: Clock } = {}): Promise<TableStore> {
    await client.createTable();
    await lowerCaseRequestKeys(client, PARTITION, cardPartition);
    return new TableStore(client, options.exportPageSize ?? 500, options.clock ?? systemClock);
  }

  async getRequest(key: string): Promise<Versioned<TrackedRequest> | undefined> {
    const entity = await this.read(PARTITION.request, REQUEST + escapeKey(key));
    return entity && this.toVersioned(key, entity);
  }

  async insertRequest(request: TrackedRequest): Promise<boolean> {
    const entity = this.requestEntity(request);
    const actions: TransactionAction[] = [['create', entity]];
    if (entity.open) actions.push(['upsert', this.openMarker(request.key), 'Replace']);
    return (await refusedAs(() => this.client.submitTransaction(actions), [409])) !== undefined;
  }

  async replaceRequest(request: TrackedRequest, etag: string, audit: readonly AuditEntry[] = []): Promise<string | undefined> {
    // The trail has its own partition, and a transaction holds one: the entries follow the replace that succeeded.
    const next = await this.replaceOnly(request, etag);
    if (next) for (const entry of audit) await this.appendAudit(entry);
    return next;
  }

  private async replaceOnly(request: TrackedRequest, etag: string): Promise<string | undefined> {
    const version = parseTag(etag);
    if (!version) return undefined;
    const entity = this.requestEntity(request);
    const update: TransactionAction = ['update', entity, 'Replace', { etag: version.etag }];
    if (entity.open === version.open) {
      const done = await refusedAs(() => this.client.updateEntity(entity, 'Replace', { etag: version.etag }), [404, 412]);
      return done?.etag ? versionTag(entity.open, done.etag) : undefined;
    }
    // Opening or closing moves the marker in the same transaction, so the open list never misses a request.
    const marker: TransactionAction = entity.open ? ['upsert', this.openMarker(request.key), 'Replace'] : ['delete', this.openMarker(request.key)];
    const done = await refusedAs(() => this.client.submitTransaction([update, marker]), [404, 412]);
    const next = done?.subResponses[0]?.etag;
    return next ? versionTag(entity.open, next) : undefined;
  }

  async listOpenRequests(): Promise<Versioned<TrackedRequest>[]> {
    const markers = await this.query(odata`PartitionKey eq ${PARTITION.request} and RowKey ge ${OPEN} and RowKey lt ${OPEN_END}`, ['RowKey']);
    const keys = markers.map((m) => m.rowKey!.slice(OPEN.length));
    const entities = await mapLimited(keys, READ_CONCURRENCY, (key) => this.read(PARTITION.request, REQUEST + key));
    // A request closed between the two reads shows as closed here; it is left out, as it would be a moment later.
    return entities
      .map((entity, i) => entity?.open === true ? this.toVersioned(unescapeKey(keys[i]!), entity) : undefined)
      .filter((v): v is Versioned<TrackedRequest> => v !== undefined);
  }

  async saveConversation(conversation: Conversation): Promise<void> {
    const entity = { partitionKey: PARTITION.conversation, rowKey: escapeKey(conversation.userId), ...bodyProperties('conversations', conversation.userId, conversation) };
    await this.client.upsertEntity(entity, 'Replace');
  }

  async getConversation(userId: string): Promise<Conversation | undefined> {
    const entity = await this.read(PARTITION.conversation, escapeKey(userId));
    return entity && readBody<Conversation>('conversations', userId, entity);
  }

  async listConversations(): Promise<Conversation[]> {
    const entities = await this.query(odata`PartitionKey eq ${PARTITION.conversation}`);
    return entities.map((e) => readBody<Conversation>('conversations', unescapeKey(e.rowKey!), e));
  }

  async removeConversation(userId: string): Promise<void> {
    await refusedAs(() => this.client.deleteEntity(PARTITION.conversation, escapeKey(userId)), [404]);
  }

  async claimCard(copy: CardCopy): Promise<boolean> {
    return (await refusedAs(() => this.client.createEntity(this.cardEntity(copy)), [409])) !== undefined;
  }

  async completeCard(requestKey: string, userId: string, activityId: string, postedAt: string): Promise<void> {
    // Without an etag the update requires the entity to exist: a card nobody claimed answers 404.
    const done = await refusedAs(
      () => this.client.updateEntity({ partitionKey: cardPartition(requestKey), rowKey: escapeKey(userId), activityId, postedAt }, 'Merge'),
      [404],
    );
    if (!done) throw new CardNotClaimed(requestKey, userId);
  }

  async releaseCard(requestKey: string, userId: string): Promise<void> {
    const entity = await this.read(cardPartition(requestKey), escapeKey(userId));
    if (!entity || entity.activityId !== undefined) return;
    // The etag keeps a card completed meanwhile from being released.
    await refusedAs(() => this.client.deleteEntity(cardPartition(requestKey), escapeKey(userId), { etag: entity.etag }), [404, 412]);
  }

  async listCards(requestKey: string): Promise<CardCopy[]> {
    const entities = await this.query(odata`PartitionKey eq ${cardPartition(requestKey)}`);
    return entities.map((e) => definedOnly({
      requestKey: e.requestKey as string,
      userId: e.userId as string,
      conversationId: e.conversationId as string,
      activityId: e.activityId as string | undefined,
      postedAt: e.postedAt as string | undefined,
    }));
  }

  async recordCard(copy: Required<CardCopy>): Promise<void> {
    await this.client.upsertEntity(this.cardEntity(copy), 'Replace');
  }

  async saveConfirmation(confirmation: Confirmation, now: Date): Promise<void> {
    // Old, unanswered confirmations would otherwise pile up forever.
    const expired = await this.query(odata`PartitionKey eq ${PARTITION.confirmation} and expiresAt lt ${now.toISOString()}`, ['RowKey']);
    await Promise.all(expired.map((e) => refusedAs(() => this.client.deleteEntity(PARTITION.confirmation, e.rowKey!, { etag: e.etag }), [404, 412])));
    await this.client.createEntity({
      partitionKey: PARTITION.confirmation,
      rowKey: escapeKey(confirmation.id),
      expiresAt: confirmation.expiresAt,
      ...bodyProperties('confirmations', confirmation.id, confirmation),
    });
  }

  async takeConfirmation(id: string): Promise<Confirmation | undefined> {
    const entity = await this.read(PARTITION.confirmation, escapeKey(id));
    if (!entity) return undefined;
    // Deleting with the etag read lets exactly one of several takers succeed.
    const taken = await refusedAs(() => this.client.deleteEntity(PARTITION.confirmation, escapeKey(id), { etag: entity.etag }), [404, 412]);
    return taken ? readBody<Confirmation>('confirmations', id, entity) : undefined;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const rowKey = this.nextAuditKey();
      const entity = definedOnly({ partitionKey: PARTITION.audit, rowKey, kind: entry.kind, requestKey: entry.requestKey, ...bodyProperties('audit', rowKey, entry) });
      if (await refusedAs(() => this.client.createEntity(entity), attempt < 3 ? [409] : [])) return;
    }
  }

  /**
   * Copies an entry from another store under a key made of its time and its number there, so it sorts among
   * entries appended here by when it happened, and copying it again is refused (false).
   */
  async importAudit(entry: AuditEntry, sourceSeq: number): Promise<boolean> {
    const at = Date.parse(entry.at);
    if (!Number.isFinite(at) || !Number.isSafeInteger(sourceSeq)) throw new RangeError(`Cannot import audit entry ${sourceSeq} at ${JSON.stringify(entry.at)}.`);
    // The sequence's last three digits order entries of the same millisecond, as appendAudit's counter does.
    const rowKey = `${String(AUDIT_HORIZON - (at * 1000 + (sourceSeq % 1000))).padStart(16, '0')}-import-${sourceSeq}`;
    const entity = definedOnly({ partitionKey: PARTITION.audit, rowKey, kind: entry.kind, requestKey: entry.requestKey, ...bodyProperties('audit', rowKey, entry) });
    return (await refusedAs(() => this.client.createEntity(entity), [409])) !== undefined;
  }

  async *exportAudit(): AsyncIterable<AuditEntry> {
    // Queries only run forward and the newest entry sorts first: read the keys alone, then fetch whole
    // entries a page at a time from the oldest end, so memory holds keys, not the trail.
    const keys = (await this.query(odata`PartitionKey eq ${PARTITION.audit}`, ['RowKey'])).map((e) => e.rowKey!);
    for (let end = keys.length; end > 0; end -= this.exportPageSize) {
      const from = keys[Math.max(0, end - this.exportPageSize)]!;
      const to = keys[end - 1]!;
      const page = await this.query(odata`PartitionKey eq ${PARTITION.audit} and RowKey ge ${from} and RowKey le ${to}`);
      for (const entity of page.reverse()) yield readBody<AuditEntry>('audit', entity.rowKey!, entity);
    }
  }

  async listAudit(query: { requestKey?: string; kinds?: AuditEntry['kind'][]; limit: number }): Promise<AuditEntry[]> {
    if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
      throw new RangeError(`Audit limit must be a non-negative integer, got ${query.limit}.`);
    }
    if (query.limit === 0 || query.kinds?.length === 0) return [];
    let filter = odata`PartitionKey eq ${PARTITION.audit}`;
    if (query.requestKey !== undefined) filter += ` and ${odata`requestKey eq ${query.requestKey}`}`;
    // The service allows 15 comparisons in a filter; a longer list of kinds is filtered here instead.
    const kinds = query.kinds && new Set(query.kinds);
    if (kinds && kinds.size <= 10) filter += ` and (${[...kinds].map((k) => odata`kind eq ${k}`).join(' or ')})`;
    const found: AuditEntry[] = [];
    const pages = this.client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(query.limit, 1000) });
    for await (const page of pages) {
      for (const entity of page) {
        if (kinds && !kinds.has(entity.kind as AuditEntry['kind'])) continue;
        found.push(readBody<AuditEntry>('audit', entity.rowKey!, entity));
        if (found.length === query.limit) return found;
      }
    }
    return found;
  }

  async enqueueDelivery(d: Delivery): Promise<boolean> {
    return (await refusedAs(() => this.client.createEntity(this.deliveryEntity(d)), [409])) !== undefined;
  }

  async enqueueDeliveries(deliveries: readonly Delivery[]): Promise<boolean[]> {
    // A batch would fail whole on the first id queued already, so each is its own create, several at once;
    // a repeated id is left to its first occurrence, as one after another would.
    const ids = new Set<string>();
    const firsts: number[] = [];
    deliveries.forEach((d, i) => {
      if (!ids.has(d.id)) firsts.push(i);
      ids.add(d.id);
    });
    const created = await mapLimited(firsts, READ_CONCURRENCY, (i) => this.enqueueDelivery(deliveries[i]!));
    const queued = new Array<boolean>(deliveries.length).fill(false);
    firsts.forEach((i, n) => { queued[i] = created[n]!; });
    return queued;
  }

  async nextDeliveries(now: Date, limit: number): Promise<Versioned<Delivery>[]> {
    // The service cannot sort; the queue is one partition of small entities, ordered here.
    const entities = await this.query(odata`PartitionKey eq ${PARTITION.delivery} and availableAt le ${now.toISOString()}`);
    return entities
      .map((e) => ({ value: readBody<Delivery>('deliveries', unescapeKey(e.rowKey!), e), etag: e.etag }))
      .sort((a, b) => a.value.priority - b.value.priority || order(a.value.dueBy, b.value.dueBy) || order(a.value.enqueuedAt, b.value.enqueuedAt) || order(a.value.id, b.value.id))
      .slice(0, limit);
  }

  async replaceDelivery(d: Delivery, etag: string): Promise<string | undefined> {
    return (await refusedAs(() => this.client.updateEntity(this.deliveryEntity(d), 'Replace', { etag }), [404, 412]))?.etag;
  }

  async removeDelivery(id: string): Promise<void> {
    await refusedAs(() => this.client.deleteEntity(PARTITION.delivery, escapeKey(id)), [404]);
  }

  async countDeliveries(): Promise<number> {
    return (await this.query(odata`PartitionKey eq ${PARTITION.delivery}`, ['RowKey'])).length;
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const lease = { partitionKey: PARTITION.lease, rowKey: escapeKey(name), holder, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
    const current = await this.read(PARTITION.lease, lease.rowKey);
    if (!current) return (await refusedAs(() => this.client.createEntity(lease), [409])) !== undefined;
    if (current.holder !== holder && Date.parse(String(current.expiresAt)) > now.getTime()) return false;
    return (await refusedAs(() => this.client.updateEntity(lease, 'Replace', { etag: current.etag }), [404, 412])) !== undefined;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    const current = await this.read(PARTITION.lease, escapeKey(name));
    if (current?.holder !== holder) return;
    await refusedAs(() => this.client.deleteEntity(PARTITION.lease, escapeKey(name), { etag: current.etag }), [404, 412]);
  }

  async ping(): Promise<void> {
    await this.read(PARTITION.lease, 'ping');
  }

  async close(): Promise<void> {}

  private read(partitionKey: string, rowKey: string): Promise<Entity | undefined> {
    return refusedAs(() => this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey), [404]);
  }

  private async query(filter: string, select?: string[]): Promise<Entity[]> {
    const entities: Entity[] = [];
    for await (const entity of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) entities.push(entity);
    return entities;
  }

  private toVersioned(key: string, entity: Entity): Versioned<TrackedRequest> {
    return { value: readBody<TrackedRequest>('requests', key, entity), etag: versionTag(entity.open === true, entity.etag) };
  }

  private requestEntity(request: TrackedRequest) {
    const rowKey = REQUEST + escapeKey(request.key);
    return { partitionKey: PARTITION.request, rowKey, open: isOpen(request), updatedAt: request.updatedAt, ...bodyProperties('requests', request.key, request) };
  }

  private openMarker(key: string) {
    return { partitionKey: PARTITION.request, rowKey: OPEN + escapeKey(key) };
  }

  private deliveryEntity(d: Delivery) {
    return { partitionKey: PARTITION.delivery, rowKey: escapeKey(d.id), availableAt: d.availableAt, ...bodyProperties('deliveries', d.id, d) };
  }

  private cardEntity(copy: CardCopy) {
    return definedOnly({ partitionKey: cardPartition(copy.requestKey), rowKey: escapeKey(copy.userId), ...copy });
  }

  /** Newest first in RowKey order, so the latest entries are a forward scan; the random tail keeps two instances apart. */
  private nextAuditKey(): string {
    this.lastAuditSeq = Math.max(this.clock.now().getTime() * 1000, this.lastAuditSeq + 1);
    return `${String(AUDIT_HORIZON - this.lastAuditSeq).padStart(16, '0')}-${randomBytes(4).toString('hex')}`;
  }
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
