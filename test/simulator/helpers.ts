import Ajv, { type ValidateFunction } from 'ajv';
import { strict as assert } from 'node:assert';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import { readExample } from '../support/reference';

export const SUBSCRIPTION = '00000000-0000-4000-8000-00000000a2b1';
export const TENANT = '00000000-0000-4000-8000-000000000001';
export const USERS = {
  alex: '00000000-0000-4000-8000-000000000020',
  megan: '00000000-0000-4000-8000-000000000021',
  adele: '00000000-0000-4000-8000-000000000022',
  isaiah: '00000000-0000-4000-8000-000000000023',
  patti: '00000000-0000-4000-8000-000000000024',
  lynne: '00000000-0000-4000-8000-000000000025',
};
export const GROUPS = {
  /** Role-assignable; holds Customer LockBox Access Approver; its member is Patti (users only, as in Entra). */
  lockboxApprovers: '00000000-0000-4000-8000-000000000101',
  /** Holds no role; its member is nightShift. */
  securityOnCall: '00000000-0000-4000-8000-000000000102',
  /** Holds no role; its members are Patti and Lynne. */
  nightShift: '00000000-0000-4000-8000-000000000103',
};
export const TEAMS_APP = { id: '00000000-0000-4000-8000-0000000000a9', externalId: '00000000-0000-4000-8000-0000000000b0' };
export const LOCKBOX_VERSION = 'api-version=2018-02-28-preview';
export const REQUESTS_PATH = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.CustomerLockbox/requests`;
export const BEARER = { authorization: 'Bearer simulated-token' };

/** Starts a simulator on a free port for each test and closes it after. */
export function useSimulator(options: SimulatorOptions = {}): () => RunningSimulator {
  let running: RunningSimulator | undefined;
  beforeEach(async () => {
    running = await startSimulator({ port: 0, ...options });
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return () => {
    if (!running) throw new Error('simulator not started');
    return running;
  };
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Wire JSON, asserted field by field. */
  body: any;
}

export async function call(sim: RunningSimulator, method: string, pathAndQuery: string, init: { headers?: Record<string, string>; body?: unknown } = {}): Promise<JsonResponse> {
  const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${sim.url}${pathAndQuery}`;
  const response = await fetch(url, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** An authenticated call to an upstream (ARM or Graph) route. */
export function upstream(sim: RunningSimulator, method: string, pathAndQuery: string, init: { headers?: Record<string, string>; body?: unknown } = {}): Promise<JsonResponse> {
  return call(sim, method, pathAndQuery, { ...init, headers: { ...BEARER, ...init.headers } });
}

export async function createRequest(sim: RunningSimulator, body: Record<string, unknown> = {}): Promise<string> {
  const created = await call(sim, 'POST', '/_simulator/lockbox/requests', { body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.properties.requestId as string;
}

type Schema = Record<string, unknown>;

/**
 * The description declares no required properties and leaves objects open, so `{}` would pass.
 * Closing every object and requiring what the simulator always sends makes drift (a renamed or
 * misspelt property) fail the test.
 */
const ALWAYS_SENT: Record<string, string[]> = {
  LockboxRequestResponse: ['id', 'name', 'type', 'properties'],
  LockboxRequestResponseProperties: [
    'requestId', 'justification', 'status', 'createdDateTime', 'expirationDateTime', 'duration', 'resourceIds',
    'resourceType', 'supportRequest', 'supportCaseUrl', 'workitemsource', 'subscriptionId',
  ],
  RequestListResult: ['value'],
  Approval: ['status'],
  TenantOptInResponse: ['isOptedIn'],
  ErrorResponse: ['error'],
  ErrorBody: ['code', 'message'],
  ErrorAdditionalInfo: ['type', 'info'],
};

function close(schema: Schema): void {
  if (schema.properties && typeof schema.properties === 'object') {
    schema.additionalProperties = false;
    for (const child of Object.values(schema.properties as Record<string, Schema>)) close(child);
  }
  if (schema.items && typeof schema.items === 'object') close(schema.items as Schema);
}

let validators: Map<string, ValidateFunction> | undefined;

function loadValidators(): Map<string, ValidateFunction> {
  const description = readExample('customerlockbox.json') as { definitions: Record<string, Schema> };
  const definitions = structuredClone(description.definitions);
  for (const [name, definition] of Object.entries(definitions)) {
    close(definition);
    if (ALWAYS_SENT[name]) definition.required = ALWAYS_SENT[name];
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (value: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)));
  ajv.addSchema({ $id: 'customerlockbox', definitions });
  return new Map(Object.keys(definitions).map((name) => [name, ajv.getSchema(`customerlockbox#/definitions/${name}`) as ValidateFunction]));
}

export type DefinitionName = 'RequestListResult' | 'LockboxRequestResponse' | 'Approval' | 'TenantOptInResponse' | 'ErrorResponse';

export function assertMatchesDefinition(name: DefinitionName, body: unknown): void {
  validators ??= loadValidators();
  const validate = validators.get(name);
  assert.ok(validate, `no definition ${name}`);
  assert.ok(validate(body), `${name}: ${JSON.stringify(validate.errors, null, 1)}\nbody: ${JSON.stringify(body)}`);
}
