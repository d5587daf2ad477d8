import { SqliteStore } from '../../src/store/sqlite';
import { silentLogger } from '../../src/runtime/logger';
import { noTelemetry } from '../../src/runtime/telemetry';
import type { CoreDeps } from '../../src/domain/usecases/deps';
import { FakeDirectory, FakeSource, FixedClock, RecordingMessenger } from './fakes';

export const TENANT = 'tenant-1';

/** The core wired to a real in-memory SQLite store and in-memory fakes of the outside world. */
export function coreWithFakes() {
  const source = new FakeSource();
  const directory = new FakeDirectory();
  const messenger = new RecordingMessenger();
  const clock = new FixedClock();
  const store = SqliteStore.open(':memory:');
  const deps: CoreDeps = { store, sources: new Map([['azure', source]]), directory, messenger, clock, logger: silentLogger, telemetry: noTelemetry, tenantId: TENANT };
  return { deps, source, directory, messenger, clock, store };
}
