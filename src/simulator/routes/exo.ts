/*
 * The Exchange Online admin API as the ExchangeOnlineManagement v3 module uses it: every cmdlet is
 * POST /adminapi/beta/{tenantId}/InvokeCommand with {"CmdletInput":{"CmdletName","Parameters"}},
 * answered {"value":[…], "@odata.nextLink"?, "@adminapi.warnings"?}. Only the cmdlets the bot runs
 * are simulated. Parameter names match case-insensitively, as PowerShell's do.
 */
import { z } from 'zod';
import { exoCmdletError, exoError } from '../errors';
import {
  M365_DECISIONS, M365_SERVICES, M365_STATUS_FILTERS, matchM365Decision, matchM365Service, matchM365Status, toExoRecord,
} from '../m365-model';
import { paginate } from '../paging';
import { ReplyError, type Reply, type RequestContext, type Router } from '../router';
import type { SimulatedTenant } from '../tenant';
import type { RouteDeps } from './deps';

export const EXO_INVOKE_COMMAND = '/adminapi/beta/:tenantId/InvokeCommand';

const BINDING = 'System.Management.Automation.ParameterBindingException';
const NOT_FOUND = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
const ACCESS_DENIED = 'Microsoft.Exchange.Configuration.Tasks.AccessDeniedException';
const INVALID_OPERATION = 'System.InvalidOperationException';

const invocation = z.object({
  CmdletInput: z.object({
    CmdletName: z.string().min(1),
    Parameters: z.record(z.unknown()).optional(),
  }),
});

type Parameters = Map<string, unknown>;

interface Cmdlet {
  /** Canonical parameter names; anything else is refused as PowerShell would. */
  parameters: string[];
  run(ctx: RequestContext, parameters: Parameters): Reply;
}

function bindingError(message: string): ReplyError {
  return new ReplyError(exoCmdletError(400, 'BadRequest', BINDING, message));
}

/** Canonical name → value; unknown names answer 400 like a cmdlet given a parameter it lacks. */
function bind(cmdlet: Cmdlet, given: Record<string, unknown>): Parameters {
  const bound: Parameters = new Map();
  for (const [name, value] of Object.entries(given)) {
    const canonical = cmdlet.parameters.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!canonical) throw bindingError(`A parameter cannot be found that matches parameter name '${name}'.`);
    bound.set(canonical, value);
  }
  return bound;
}

function text(parameters: Parameters, name: string): string | undefined {
  const value = parameters.get(name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bindingError(`Cannot bind parameter '${name}': expected a string, got ${JSON.stringify(value)}.`);
  return value;
}

function requiredText(parameters: Parameters, name: string): string {
  const value = text(parameters, name);
  if (value === undefined) throw bindingError(`Cannot process command because of one or more missing mandatory parameters: ${name}.`);
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], match: (v: string) => T | undefined): T {
  const matched = match(value);
  if (!matched || !allowed.includes(matched)) {
    throw bindingError(`Cannot bind parameter '${name}'. Cannot convert value "${value}": valid values are ${allowed.join(', ')}.`);
  }
  return matched;
}

function optionalOneOf<T extends string>(parameters: Parameters, name: string, allowed: readonly T[], match: (v: string) => T | undefined): T | undefined {
  const value = text(parameters, name);
  return value === undefined ? undefined : oneOf(name, value, allowed, match);
}

function bool(parameters: Parameters, name: string): boolean | undefined {
  const value = parameters.get(name);
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw bindingError(`Cannot process argument transformation on parameter '${name}'. Cannot convert value "${String(value)}" to type "System.Boolean".`);
}

/** Clients ask for bigger pages with `Prefer: odata.maxpagesize=N`; the server's own limit still applies. */
function pageSizeFor(ctx: RequestContext, serverPageSize: number): number {
  const prefer = ctx.headers.prefer;
  const asked = typeof prefer === 'string' ? /odata\.maxpagesize=(\d+)/i.exec(prefer)?.[1] : undefined;
  return asked && Number(asked) > 0 ? Math.min(serverPageSize, Number(asked)) : serverPageSize;
}

function badSkipToken(): ReplyError {
  return new ReplyError(exoError(400, 'BadRequest', 'The $skiptoken is not one this service issued.'));
}

function cmdlets(tenant: SimulatedTenant, pageSize: number): Record<string, Cmdlet> {
  return {
    'Get-AccessToCustomerDataRequest': {
      parameters: ['ApprovalStatus', 'CreatedAfter', 'RequestId'],
      run(ctx, parameters) {
        const status = optionalOneOf(parameters, 'ApprovalStatus', M365_STATUS_FILTERS, matchM365Status);
        const createdAfterText = text(parameters, 'CreatedAfter');
        const createdAfter = createdAfterText === undefined ? undefined : new Date(createdAfterText);
        if (createdAfter && Number.isNaN(createdAfter.getTime())) {
          throw bindingError(`Cannot bind parameter 'CreatedAfter'. Cannot convert value "${createdAfterText}" to type "ExDateTime".`);
        }
        const requestId = text(parameters, 'RequestId');
        const page = paginate(ctx, tenant.listM365Requests({ status, requestId, createdAfter }), pageSizeFor(ctx, pageSize), badSkipToken);
        return { status: 200, body: { value: page.items.map(toExoRecord), ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}) } };
      },
    },
    'Set-AccessToCustomerDataRequest': {
      parameters: ['ApprovalDecision', 'RequestId', 'Comment', 'ServiceName'],
      run(_ctx, parameters) {
        const decision = oneOf('ApprovalDecision', requiredText(parameters, 'ApprovalDecision'), M365_DECISIONS, matchM365Decision);
        const requestId = requiredText(parameters, 'RequestId');
        const comment = text(parameters, 'Comment') ?? '';
        const serviceName = optionalOneOf(parameters, 'ServiceName', M365_SERVICES, matchM365Service);
        if (!tenant.allowsM365AppOnlyDecisions()) {
          // Unverified shape: what Exchange is expected to answer an app identity without the right to decide.
          return exoCmdletError(403, 'Forbidden', ACCESS_DENIED, "Access denied: the application isn't permitted to run Set-AccessToCustomerDataRequest.");
        }
        const result = tenant.decideM365(requestId, decision, comment, serviceName);
        switch (result.outcome) {
          case 'not-found':
            return exoCmdletError(404, 'NotFound', NOT_FOUND, `The operation couldn't be performed because object '${requestId}' couldn't be found.`);
          case 'wrong-service':
            return exoCmdletError(400, 'BadRequest', INVALID_OPERATION, `The Customer Lockbox request '${requestId}' is for ${result.serviceName}, not ${serviceName}.`);
          case 'not-pending':
            return exoCmdletError(400, 'BadRequest', INVALID_OPERATION,
              `The Customer Lockbox request '${requestId}' is ${result.currentStatus} and is no longer pending; it can't be approved, denied or canceled.`);
          default:
            return { status: 200, body: { value: [] } };
        }
      },
    },
    'Get-OrganizationConfig': {
      parameters: [],
      run() {
        const config = { Identity: tenant.tenantId, Name: 'Simulated tenant', Guid: tenant.tenantId, CustomerLockBoxEnabled: tenant.isM365LockboxEnabled(), IsValid: true, ObjectState: 'Unchanged' };
        return { status: 200, body: { value: [config] } };
      },
    },
    'Set-OrganizationConfig': {
      // The real cmdlet has many more; the simulator only keeps this one.
      parameters: ['CustomerLockboxEnabled'],
      run(_ctx, parameters) {
        const enabled = bool(parameters, 'CustomerLockboxEnabled');
        if (enabled === undefined || enabled === tenant.isM365LockboxEnabled()) {
          return { status: 200, body: { value: [], '@adminapi.warnings': ["The command completed successfully but no settings of 'Organization' have been modified."] } };
        }
        tenant.setM365LockboxEnabled(enabled);
        return { status: 200, body: { value: [] } };
      },
    },
  };
}

function parseInvocation(raw: string): z.infer<typeof invocation> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ReplyError(exoError(400, 'BadRequest', 'The request body is not JSON. Expected {"CmdletInput":{"CmdletName":"…","Parameters":{…}}}.'));
  }
  const parsed = invocation.safeParse(json);
  if (!parsed.success) {
    throw new ReplyError(exoError(400, 'BadRequest', 'The request body has no CmdletInput.CmdletName. Expected {"CmdletInput":{"CmdletName":"…","Parameters":{…}}}.'));
  }
  return parsed.data;
}

export function registerExoRoutes(router: Router, { tenant, pageSize }: RouteDeps): void {
  const known = cmdlets(tenant, pageSize);
  router.on('POST', EXO_INVOKE_COMMAND, async (ctx) => {
    const tenantId = ctx.params.tenantId ?? '';
    if (tenantId.toLowerCase() !== tenant.tenantId.toLowerCase()) {
      return exoError(404, 'NotFound', `Tenant '${tenantId}' could not be found. Use the tenant id (GUID) the app signs in to.`);
    }
    const anchor = ctx.headers['x-anchormailbox'];
    if (typeof anchor !== 'string' || anchor.trim() === '') {
      return exoError(400, 'BadRequest', 'The X-AnchorMailbox header is required, e.g. APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@<tenantId> for an app.');
    }
    const { CmdletInput: input } = parseInvocation(await ctx.readBody());
    const name = Object.keys(known).find((n) => n.toLowerCase() === input.CmdletName.toLowerCase());
    if (!name) {
      return exoCmdletError(400, 'BadRequest', 'System.Management.Automation.CommandNotFoundException',
        `The term '${input.CmdletName}' is not recognized as a name of a cmdlet, function, script file, or executable program.`);
    }
    const cmdlet = known[name] as Cmdlet;
    return cmdlet.run(ctx, bind(cmdlet, input.Parameters ?? {}));
  });
}
