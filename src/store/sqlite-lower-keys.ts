import type Database from 'better-sqlite3';
import { canonicalKey } from '../domain/request';

/**
 * Builds before request keys were kept in lower case stored a request under the case Microsoft spelt it in.
 * This re-keys such a request, its card copies, its queued deliveries and its audit references to the lower-case
 * key, so an upgraded bot finds the request where it was and never detects it again. It runs inside the schema
 * migration's write transaction: all of it or none, and once, even with two processes opening the file.
 * When the lower-case key exists already (a build that lowered keys detected it again), that record stays the
 * request and the old one is kept, closed, as history.
 */
export function lowerCaseRequestKeys(db: Database.Database): void {
  const rows = db.prepare<[], { key: string; body: string }>('SELECT key, body FROM requests').all();
  const exists = db.prepare<[string], { key: string }>('SELECT key FROM requests WHERE key = ?');
  const rekeyRequest = db.prepare('UPDATE requests SET key = ?, body = ? WHERE key = ?');
  const closeRequest = db.prepare('UPDATE requests SET open = 0 WHERE key = ?');
  const rekeyCards = db.prepare('UPDATE OR IGNORE cards SET request_key = ? WHERE request_key = ?');
  const rekeyAudit = db.prepare('UPDATE audit SET request_key = ? WHERE request_key = ?');
  const deliveries = db.prepare<[], { id: string; body: string }>('SELECT id, body FROM deliveries').all();
  const rekeyDelivery = db.prepare('UPDATE OR IGNORE deliveries SET id = ?, body = ? WHERE id = ?');
  const dropDelivery = db.prepare('DELETE FROM deliveries WHERE id = ?');
  const moved = new Map<string, string>();
  for (const row of rows) {
    const key = canonicalKey(row.key);
    if (key === row.key) continue;
    if (exists.get(key)) {
      closeRequest.run(row.key);
      continue;
    }
    const body = parsed<{ key: string }>(row.body);
    // A record that is not JSON is left for the store to report when it is read, as before.
    if (!body) continue;
    rekeyRequest.run(key, JSON.stringify({ ...body, key }), row.key);
    rekeyCards.run(key, row.key);
    rekeyAudit.run(key, row.key);
    moved.set(row.key, key);
  }
  for (const row of deliveries) {
    const delivery = parsed<{ id: string; requestKey: string }>(row.body);
    const key = delivery && moved.get(delivery.requestKey);
    if (!delivery || !key) continue;
    const id = row.id.split('|').map((part) => (part === delivery.requestKey ? key : part)).join('|');
    // An item queued under the new id already is the same delivery: the old one goes.
    if (rekeyDelivery.run(id, JSON.stringify({ ...delivery, id, requestKey: key }), row.id).changes === 0) dropDelivery.run(row.id);
  }
}

function parsed<T>(body: string): T | undefined {
  try {
    return JSON.parse(body) as T;
  } catch {
    return undefined;
  }
}
