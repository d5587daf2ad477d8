import { BoundedMap } from '../runtime/bounded-map';
import { CorruptRecord } from './errors';

/**
 * The last value parsed from each row of one table, by the row's stored text: reading a row that has not
 * changed since costs a string comparison instead of parsing it again. A row another writer (or process)
 * changed reads anew. Values are frozen all the way down, so no caller can change what the next is handed;
 * callers build changed copies, as they do anyway.
 */
export class ParsedRows<T> {
  private readonly rows: BoundedMap<string, { body: string; value: T }>;

  constructor(private readonly table: string, capacity: number) {
    this.rows = new BoundedMap(capacity);
  }

  read(key: string, body: string): T {
    const known = this.rows.peek(key);
    if (known?.body === body) return known.value;
    let value: T;
    try {
      value = freezeParsed(JSON.parse(body) as T);
    } catch (error) {
      throw new CorruptRecord(this.table, key, error);
    }
    this.rows.set(key, { body, value });
    return value;
  }

  /**
   * What this instance just wrote as `body`, so reading it back costs no parse. The writer keeps its own
   * object, unfrozen: what is kept is a frozen copy of it as `body` reads (shared with earlier reads where
   * they are the same), or nothing when the value is not plain JSON. Rolled back or overwritten since, the
   * stored text differs from `body` and the row reads anew.
   */
  wrote(key: string, body: string, value: T): void {
    const copy = frozenJsonCopy(value, this.rows.peek(key)?.value);
    if (copy === NOT_JSON) this.rows.delete(key);
    else this.rows.set(key, { body, value: copy as T });
  }

  forget(key: string): void {
    this.rows.delete(key);
  }
}

const NOT_JSON = Symbol('not JSON');

/** Freezes a tree fresh from JSON.parse: plain objects and arrays, none shared, none frozen yet. */
function freezeParsed<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeParsed(value[i]);
  } else {
    for (const key in value) freezeParsed(value[key]);
  }
  return Object.freeze(value);
}

/**
 * What JSON.parse(JSON.stringify(value)) would give, frozen; NOT_JSON for anything that JSON would change
 * other than dropping an undefined property (a Date, NaN, a class instance, undefined in an array…).
 * `kept` is the value at the same place in what this table holds frozen already: a writer's copy shares
 * whatever it did not change (`{ ...read, decision }`), and those parts are shared, not copied again.
 */
function frozenJsonCopy(value: unknown, kept: unknown): unknown {
  if (value === kept) return value;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : NOT_JSON;
    case 'object':
      break;
    default:
      return NOT_JSON;
  }
  if (value === null) return value;
  const keptObject = typeof kept === 'object' && kept !== null ? (kept as Record<string, unknown>) : undefined;
  let copy: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    copy = new Array<unknown>(value.length);
    const keptArray = Array.isArray(keptObject) ? keptObject : undefined;
    for (let i = 0; i < value.length; i++) {
      const item = frozenJsonCopy(value[i], keptArray?.[i]);
      if (item === NOT_JSON || item === undefined) return NOT_JSON;
      copy[i] = item;
    }
  } else {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return NOT_JSON;
    copy = {};
    for (const key of Object.keys(value)) {
      // An own "__proto__" (JSON.parse makes one) would set the copy's prototype instead.
      if (key === '__proto__') return NOT_JSON;
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined) continue;
      const item = frozenJsonCopy(child, keptObject && !Array.isArray(keptObject) ? keptObject[key] : undefined);
      if (item === NOT_JSON) return NOT_JSON;
      copy[key] = item;
    }
  }
  return Object.freeze(copy);
}
