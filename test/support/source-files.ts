import fs from 'node:fs';
import path from 'node:path';

/** Every TypeScript file under `dir`, for the repository tests that read the source as text. */
export function typescriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(full);
    return /\.ts$/.test(entry.name) ? [full] : [];
  });
}
