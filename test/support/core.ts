import { SqliteStore } from '../../src/store/sqlite';
import { silentLogger } from '../../src/runtime/logger';
import { noTelemetry } from '../../src/runtime/telemetry';
import type { CoreDeps } from '../../src/domain/usecases/deps';
import { sendQueued } from '../../src/domain/usecases/deliver';
import { pollOnce, type PollReport } from '../../src/domain/usecases/poll';
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

/** Sends every queued delivery available now, one after another, as the delivery worker would. */
export async function deliverQueued(deps: CoreDeps): Promise<number> {
  let sent = 0;
  for (let items = await deps.store.nextDeliveries(deps.clock.now(), 100); items.length; items = await deps.store.nextDeliveries(deps.clock.now(), 100)) {
    for (const item of items) await sendQueued(deps, item);
    sent += items.length;
  }
  return sent;
}

/** One watcher cycle followed by the deliveries it queued: what a person sees a moment after a poll. */
export async function pollAndDeliver(deps: CoreDeps): Promise<PollReport> {
  const report = await pollOnce(deps);
  await deliverQueued(deps);
  return report;
}
