import fs from 'node:fs';
import path from 'node:path';

/** The official Azure Customer Lockbox API description and examples, kept beside the project. */
export const REFERENCE_DIR = process.env.LOCKBOX_REFERENCE_DIR ?? path.resolve(__dirname, '../../../shared/reference/azure-customer-lockbox');

export function readExample(relative: string): any {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, relative), 'utf8'));
}
