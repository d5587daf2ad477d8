import { CorruptRecord } from './errors';

/**
 * The last value parsed from each row of one table, by the row's stored text: reading a row that has not
 * changed since costs a string comparison instead of parsing it again. A row another writer (or process)
 * changed reads anew. Values are frozen all the way down, so no caller can change what the next is handed;
 * callers build changed copies, as they do anyway.
 */
export class ParsedRows<T> {
  private readonly rows = new Map<string, { body: string; value: T }>();

  constructor(private readonly table: string, private readonly capacity: number) {}

  read(key: string, body: string): T {
    const known = this.rows.get(key);
    if (known?.body === body) return known.value;
    let value: T;
    try {
      value = deepFreeze(JSON.parse(body) as T);
    } catch (error) {
      throw new CorruptRecord(this.table, key, error);
    }
    // Most recently parsed last, so the first is the one to drop when full.
    this.rows.delete(key);
    this.rows.set(key, { body, value });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
    return value;
  }

  forget(key: string): void {
    this.rows.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
