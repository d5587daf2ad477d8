import { CorruptRecord } from './errors';

/** Azure Tables caps one string property at 64 KiB, i.e. 32 Ki UTF-16 code units. */
const CHUNK_CHARS = 32_000;
/** 15 full chunks stay under the 1 MiB an entity may hold, with room for keys and the other properties. */
const MAX_CHUNKS = 15;
const BODY = 'body';

/** A record too big for one Azure Table entity; nothing was written. */
export class EntityTooLarge extends Error {
  constructor(readonly table: string, readonly key: string, readonly chars: number) {
    super(`Stored ${table} record ${JSON.stringify(key)} is ${Math.ceil(chars / 512)} KiB as JSON, more than the ${(CHUNK_CHARS * MAX_CHUNKS) / 512} KiB one Azure Table entity can hold.`);
    this.name = 'EntityTooLarge';
  }
}

/**
 * PartitionKey and RowKey may not contain / \ # ? or control characters: those, and % itself,
 * are percent-encoded, which keeps keys readable and their order mostly intact.
 */
export function escapeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function unescapeKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The value as JSON, split over body0, body1, … so no property passes the service's size limit. */
export function bodyProperties(table: string, key: string, value: unknown): Record<string, string> {
  const json = JSON.stringify(value);
  const properties: Record<string, string> = {};
  let start = 0;
  for (let i = 0; start < json.length || i === 0; i++) {
    if (i === MAX_CHUNKS) throw new EntityTooLarge(table, key, json.length);
    let end = Math.min(start + CHUNK_CHARS, json.length);
    // Never split a surrogate pair: each half alone is not valid text to the service.
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    properties[`${BODY}${i}`] = json.slice(start, end);
    start = end;
  }
  return properties;
}

export function readBody<T>(table: string, key: string, entity: Record<string, unknown>): T {
  let json = '';
  for (let i = 0; typeof entity[`${BODY}${i}`] === 'string'; i++) json += entity[`${BODY}${i}`] as string;
  try {
    return JSON.parse(json) as T;
  } catch (error) {
    throw new CorruptRecord(table, key, error);
  }
}

/** The HTTP status of a failed Tables call, or undefined for anything else (network, bugs). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Runs a write whose expected refusals (409 exists, 412 changed, 404 gone) are answers, not failures. */
export async function refusedAs<T>(write: () => Promise<T>, refusals: number[]): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (refusals.includes(statusOf(error) ?? -1)) return undefined;
    throw error;
  }
}

/** Leaves out unset fields, which an entity simply does not have. */
export function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Runs `task` over `items`, at most `limit` at once; results come back in the order of `items`. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
