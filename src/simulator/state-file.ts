import fs from 'node:fs';
import path from 'node:path';
import type { SimulatorLogger } from './logger';
import type { SimulatedTenant } from './tenant';
import { tenantStateSchema, type TenantState } from './tenant-state';
import { systemClock } from '../runtime/clock';

/**
 * Keeps a simulated tenant in a JSON file: loads it on start and rewrites it after every change,
 * so a restarted `npm start` finds the requests the bot already tracks. Answers whether a saved
 * state was loaded.
 */
export function persistTenant(tenant: SimulatedTenant, file: string, logger: SimulatorLogger): boolean {
  const saved = readState(file, tenant.tenantId, logger);
  if (saved) tenant.restoreState(saved);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  tenant.onChange = () => writeState(file, tenant.saveState(), logger);
  if (!saved) writeState(file, tenant.saveState(), logger);
  return saved !== undefined;
}

function readState(file: string, tenantId: string, logger: SimulatorLogger): TenantState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the simulated tenant's state in ${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = tenantStateSchema.safeParse(json);
  if (!parsed.success || parsed.data.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
    // A file from another version or tenant is kept aside, never silently overwritten.
    const aside = `${file}.unreadable-${systemClock.now().getTime()}`;
    fs.renameSync(file, aside);
    logger.warn('simulator: the saved tenant state was unreadable or of another tenant; starting afresh', { file, keptAs: aside });
    return undefined;
  }
  return parsed.data;
}

function writeState(file: string, state: TenantState, logger: SimulatorLogger): void {
  // Write beside and rename: a crash mid-write leaves the previous state, never half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, JSON.stringify(state));
    fs.renameSync(temporary, file);
  } catch (err) {
    logger.error('simulator: could not save the tenant state', { file, error: (err as Error).message });
  }
}
