import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { canonicalKey } from '../domain/request';
import { bodyProperties, escapeKey, readBody, refusedAs, unescapeKey } from './table-codec';

type Entity = TableEntityResult<Record<string, unknown>>;

/** Written once every request is re-keyed, so later starts read one entity instead of every request. */
const DONE = { partitionKey: 'meta', rowKey: 'lower-case-keys' };

async function all(client: TableClient, filter: string): Promise<Entity[]> {
  const entities: Entity[] = [];
  for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) entities.push(entity);
  return entities;
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
export async function lowerCaseRequestKeys(client: TableClient, partitions: { request: string; delivery: string; audit: string }, cardPartition: (key: string) => string): Promise<void> {
  if (await refusedAs(() => client.getEntity(DONE.partitionKey, DONE.rowKey), [404])) return;
  const requests = await all(client, odata`PartitionKey eq ${partitions.request} and RowKey ge ${'r:'} and RowKey lt ${'r;'}`);
  const legacy = requests.filter((e) => { const key = unescapeKey(e.rowKey!.slice(2)); return canonicalKey(key) !== key; });
  const deliveries = legacy.length ? await all(client, odata`PartitionKey eq ${partitions.delivery}`) : [];
  for (const entity of legacy) {
    const from = unescapeKey(entity.rowKey!.slice(2));
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
      const delivery = readBody<{ id: string; requestKey: string }>('deliveries', item.rowKey!, item);
      if (delivery.requestKey !== from) continue;
      const id = delivery.id.split('|').map((part) => (part === from ? to : part)).join('|');
      const moved = { ...propertiesOf(item), ...bodyProperties('deliveries', id, { ...delivery, id, requestKey: to }), partitionKey: partitions.delivery, rowKey: escapeKey(id) };
      // One partition, one transaction: the item moves whole, or (moved or sent meanwhile) not at all.
      await refusedAs(() => client.submitTransaction([['create', moved], ['delete', keysOf(item)]]), [404, 409, 412]);
    }
    for (const entry of await all(client, odata`PartitionKey eq ${partitions.audit} and requestKey eq ${from}`)) {
      await refusedAs(() => client.updateEntity({ partitionKey: entry.partitionKey!, rowKey: entry.rowKey!, requestKey: to }, 'Merge'), [404]);
    }
    const body = readBody<{ key: string }>('requests', from, entity);
    const request = { ...propertiesOf(entity), ...bodyProperties('requests', to, { ...body, key: to }), partitionKey: partitions.request, rowKey: `r:${escapeKey(to)}` };
    const actions: TransactionAction[] = [['create', request], ['delete', keysOf(entity)]];
    if (entity.open === true) actions.push(['upsert', openMarker(to), 'Replace'], ['delete', openMarker(from)]);
    await refusedAs(() => client.submitTransaction(actions), [404, 409, 412]);
  }
  await refusedAs(() => client.createEntity(DONE), [409]);
}
