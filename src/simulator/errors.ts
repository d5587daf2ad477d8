import type { Reply, RequestContext } from './router';
import { systemClock } from '../runtime/clock';

/**
 * Which wire conventions a path follows: ARM (management plane), Microsoft Graph, the Exchange
 * Online admin API (InvokeCommand), or our own admin API.
 */
export type ApiStyle = 'arm' | 'graph' | 'exo' | 'pagerduty' | 'admin';

export function styleOf(pathname: string): ApiStyle {
  if (/^\/_simulator(\/|$)/i.test(pathname)) return 'admin';
  if (/^\/(v1\.0|beta)(\/|$)/i.test(pathname)) return 'graph';
  if (/^\/adminapi(\/|$)/i.test(pathname)) return 'exo';
  if (/^\/v2\/enqueue\/?$/i.test(pathname)) return 'pagerduty';
  return 'arm';
}

export interface ErrorAdditionalInfo {
  type: string;
  info: Record<string, unknown>;
}

export function armError(
  status: number,
  code: string,
  message: string,
  extra: { target?: string; additionalInfo?: ErrorAdditionalInfo[] } = {},
): Reply {
  return { status, body: { error: { code, message, ...extra } } };
}

export function graphError(ctx: Pick<RequestContext, 'requestId' | 'headers'>, status: number, code: string, message: string): Reply {
  const clientRequestId = ctx.headers['client-request-id'];
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: systemClock.now().toISOString().slice(0, 19),
          'request-id': ctx.requestId,
          'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : ctx.requestId,
        },
      },
    },
  };
}

/**
 * An Exchange Online admin API error outside any cmdlet (sign-in, headers, body): the message is in
 * error.message and in error.innererror.internalexception.message.
 */
export function exoError(status: number, code: string, message: string, type = 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException'): Reply {
  return {
    status,
    body: { error: { code, message, innererror: { message, type, internalexception: { message, type } } } },
  };
}

/**
 * A cmdlet that ran and failed, as the admin API reports it: a generic error.message, and the
 * cmdlet's own message and exception type as a JSON string in error.details[].message.
 */
export function exoCmdletError(status: number, code: string, typeName: string, message: string): Reply {
  return {
    status,
    body: {
      error: {
        code,
        message: 'Error executing cmdlet',
        details: [{ code: 'Context', target: '', message: JSON.stringify({ Message: message, TypeName: typeName, StackTrace: null, InnerError: null }) }],
        innererror: { message: 'Error executing cmdlet', type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException' },
      },
    },
  };
}

/** PagerDuty's Events API answer to an event it did not take: its status word, a message and, for a 400, what is wrong. */
export function pagerDutyError(status: number, message: string, errors?: string[]): Reply {
  const word = status === 400 ? 'invalid event' : status === 429 ? 'throttle event' : 'unavailable';
  return { status, body: { status: word, message, ...(errors ? { errors } : {}) } };
}

export function adminError(status: number, code: string, message: string, details?: unknown): Reply {
  return { status, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } };
}

export function errorInStyle(style: ApiStyle, ctx: Pick<RequestContext, 'requestId' | 'headers'>, status: number, code: string, message: string): Reply {
  if (style === 'graph') return graphError(ctx, status, code, message);
  if (style === 'admin') return adminError(status, code, message);
  if (style === 'exo') return exoError(status, code, message);
  if (style === 'pagerduty') return pagerDutyError(status, message);
  return armError(status, code, message);
}

const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'AuthenticationFailed',
  403: 'AuthorizationFailed',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function defaultCodeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequest');
}
