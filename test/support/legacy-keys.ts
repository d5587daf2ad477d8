import Database from 'better-sqlite3';
import type { TableClient } from '@azure/data-tables';

/**
 * Turns a store written by this build into the one a build before lower-case request keys wrote: every
 * reference to the request's key spelt as Microsoft listed it. The key contains no character Table keys escape.
 */
export function legacySqlite(file: string, key: string, legacyKey: string): void {
  const db = new Database(file);
  try {
    db.transaction(() => {
      for (const [table, columns] of Object.entries({ requests: ['key', 'body'], cards: ['request_key'], audit: ['request_key', 'body'], deliveries: ['id', 'body'] })) {
        for (const column of columns) db.prepare(`UPDATE ${table} SET ${column} = replace(${column}, ?, ?)`).run(key, legacyKey);
      }
      // The schema version before the one that re-keys requests.
      db.pragma(`user_version = ${(db.pragma('user_version', { simple: true }) as number) - 1}`);
    })();
  } finally {
    db.close();
  }
}

export async function legacyTable(client: TableClient, key: string, legacyKey: string): Promise<void> {
  for await (const entity of client.listEntities<Record<string, unknown>>()) {
    const { etag: _etag, timestamp: _timestamp, ...properties } = entity as Record<string, unknown>;
    const legacy = JSON.parse(JSON.stringify(properties).replaceAll(key, legacyKey)) as { partitionKey: string; rowKey: string };
    if (legacy.partitionKey === properties.partitionKey && legacy.rowKey === properties.rowKey) {
      await client.upsertEntity(legacy, 'Replace');
      continue;
    }
    await client.createEntity(legacy);
    await client.deleteEntity(entity.partitionKey!, entity.rowKey!);
  }
  // A build before lower-case keys had no record of having re-keyed anything.
  await client.deleteEntity('meta', 'lower-case-keys').catch(() => undefined);
}
