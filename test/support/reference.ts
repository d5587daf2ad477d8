import fs from 'node:fs';
import path from 'node:path';

/** Public Azure REST API descriptions and examples, vendored with their provenance (see each SOURCES.md). */
export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');
export const LOCKBOX_FIXTURES_DIR = path.join(FIXTURES_DIR, 'azure-customer-lockbox');
export const SUPPORT_FIXTURES_DIR = path.join(FIXTURES_DIR, 'azure-support');

function readJson(dir: string, relative: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, relative), 'utf8'));
}

/** A file of the Azure Customer Lockbox description, e.g. `examples/Requests_List.json`. */
export function readExample(relative: string): any {
  return readJson(LOCKBOX_FIXTURES_DIR, relative);
}

/** A file of the Azure Support API examples, e.g. `GetSubscriptionSupportTicketDetails.json`. */
export function readSupportExample(relative: string): any {
  return readJson(SUPPORT_FIXTURES_DIR, relative);
}
