import { SimulatorCredential } from '../../src/http/credentials';
import { JsonClient } from '../../src/http/json-client';

/** The bot's real HTTP client aimed at the simulator, with quick retries so fault tests stay fast. */
export function clientFor(baseUrl: string, scope = 'https://management.azure.com/.default'): JsonClient {
  return new JsonClient({ baseUrl, credential: new SimulatorCredential(), scope, retryDelayMs: 10, timeoutMs: 2000, allowLoopbackHttp: true });
}

export async function injectFault(simulatorUrl: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simulatorUrl}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  if (response.status !== 201) throw new Error(`fault refused: ${await response.text()}`);
}
