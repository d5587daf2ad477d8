import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { canonicalKey } from '../domain/request';
import { bodyProperties, escapeKey, readBody, refusedAs, unescapeKey } from './table-codec';

type Entity = TableEntityResult<Record<string, unknown>>;
type Partitions = { request: string; delivery: string; audit: string };

/** Written once every request is re-keyed, so later starts read one entity instead of every request. */
const DONE = { partitionKey: 'meta', rowKey: 'lower-case-keys' };

async function all(client: TableClient, filter: string, select?: string[]): Promise<Entity[]> {
  const entities: Entity[] = [];
  for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) entities.push(entity);
  return entities;
}

function bodyOf<T>(entity: Entity): T | undefined {
  try {
    return readBody<T>('', entity.rowKey!, entity);
  } catch {
    return undefined;
  }
}

const keysOf = (entity: Entity) => ({ partitionKey: entity.partitionKey!, rowKey: entity.rowKey! });

/** The entity's own properties, without the service's metadata, to write elsewhere. */
function propertiesOf(entity: Entity): Record<string, unknown> {
  const { etag: _etag, timestamp: _timestamp, partitionKey: _p, rowKey: _r, ...rest } = entity as Record<string, unknown>;
  return rest;
}

/**
 * Builds before request keys were kept in lower case stored a request under the case Microsoft spelt it in.
 * This re-keys such a request (and its card copies, queued deliveries and audit references) to the lower-case key
 * before the store is used. Every step is create-if-absent or conditional, and the request itself moves last in one
 * transaction, so a crash or a second instance doing the same at the same time leaves nothing doubled or lost:
 * the next start finishes the work. When the lower-case key exists already (a build that lowered keys detected it
 * again), that record stays the request and the old one is kept, no longer open, as history.
 */
export async function lowerCaseRequestKeys(client: TableClient, partitions: Partitions, cardPartition: (key: string) => string): Promise<void> {
  if (await refusedAs(() => client.getEntity(DONE.partitionKey, DONE.rowKey), [404])) return;
  // Keys alone first: the whole history need not be in memory, and most of it is in lower case already.
  const legacy = await legacyKeys(client, partitions);
  if (legacy.length) {
    await rekey(client, partitions, cardPartition, legacy.map((k) => k.key));
    // Whatever could not move this time (a write refused for a reason not foreseen) is tried again at the next start.
    if ((await legacyKeys(client, partitions)).some((k) => !k.taken)) return;
  }
  await refusedAs(() => client.createEntity(DONE), [409]);
}

/** Keys of requests stored in another letter case, and whether their lower-case key is taken already (kept as history). */
async function legacyKeys(client: TableClient, partitions: Partitions): Promise<{ key: string; taken: boolean }[]> {
  const rows = await all(client, odata`PartitionKey eq ${partitions.request} and RowKey ge ${'r:'} and RowKey lt ${'r;'}`, ['RowKey']);
  const keys = new Set(rows.map((e) => unescapeKey(e.rowKey!.slice(2))));
  return [...keys].filter((key) => canonicalKey(key) !== key).map((key) => ({ key, taken: keys.has(canonicalKey(key)) }));
}

async function rekey(client: TableClient, partitions: Partitions, cardPartition: (key: string) => string, legacy: string[]): Promise<void> {
  const deliveries = await all(client, odata`PartitionKey eq ${partitions.delivery}`);
  const audit = await all(client, odata`PartitionKey eq ${partitions.audit}`, ['RowKey', 'requestKey']);
  for (const from of legacy) {
    const entity = await refusedAs(() => client.getEntity<Record<string, unknown>>(partitions.request, `r:${escapeKey(from)}`), [404]);
    // Moved meanwhile by another instance.
    if (!entity) continue;
    const to = canonicalKey(from);
    const openMarker = (key: string) => ({ partitionKey: partitions.request, rowKey: `o:${escapeKey(key)}` });
    if (await refusedAs(() => client.getEntity(partitions.request, `r:${escapeKey(to)}`), [404])) {
      await refusedAs(() => client.deleteEntity(openMarker(from).partitionKey, openMarker(from).rowKey), [404]);
      continue;
    }
    for (const card of await all(client, odata`PartitionKey eq ${cardPartition(from)}`)) {
      await refusedAs(() => client.createEntity({ ...propertiesOf(card), partitionKey: cardPartition(to), rowKey: card.rowKey!, requestKey: to }), [409]);
      await refusedAs(() => client.deleteEntity(card.partitionKey!, card.rowKey!, { etag: card.etag }), [404, 412]);
    }
    for (const item of deliveries) {
      const delivery = bodyOf<{ id: string; requestKey: string }>(item);
      if (delivery?.requestKey !== from) continue;
      const id = delivery.id.split('|').map((part) => (part === from ? to : part)).join('|');
      const moved = { ...propertiesOf(item), ...bodyProperties('deliveries', id, { ...delivery, id, requestKey: to }), partitionKey: partitions.delivery, rowKey: escapeKey(id) };
      // One partition, one transaction: the item moves whole, or (moved or sent meanwhile) not at all.
      await refusedAs(() => client.submitTransaction([['create', moved], ['delete', keysOf(item)]]), [404, 409, 412]);
    }
    for (const entry of audit.filter((e) => e.requestKey === from)) {
      await refusedAs(() => client.updateEntity({ partitionKey: partitions.audit, rowKey: entry.rowKey!, requestKey: to }, 'Merge'), [404]);
    }
    const body = bodyOf<{ key: string }>(entity);
    // A record that is not JSON is left for the store to report when it is read, as before.
    if (!body) continue;
    const request = { ...propertiesOf(entity), ...bodyProperties('requests', to, { ...body, key: to }), partitionKey: partitions.request, rowKey: `r:${escapeKey(to)}` };
    const actions: TransactionAction[] = [['create', request], ['delete', keysOf(entity)]];
    if (entity.open === true) actions.push(['upsert', openMarker(to), 'Replace']);
    await refusedAs(() => client.submitTransaction(actions), [404, 409, 412]);
    // Left behind by a crash, the old marker would only point at nothing, which the open list skips.
    await refusedAs(() => client.deleteEntity(openMarker(from).partitionKey, openMarker(from).rowKey), [404]);
  }
}
