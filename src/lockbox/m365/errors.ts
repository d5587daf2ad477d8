import { UpstreamError } from '../../domain/errors';
import type { JsonResponse } from '../../http/json-client';

/** Why an Exchange Online admin API call failed, as far as the answer tells. */
export type ExoFailureKind = 'sign-in' | 'permission' | 'licence' | 'transient' | 'rejected';

export interface ExoErrorDetail {
  message?: string;
  /** The .NET exception type, when the answer names one. */
  type?: string;
  code?: string;
}

const ADVICE: Record<Exclude<ExoFailureKind, 'transient' | 'rejected'>, string> = {
  'sign-in':
    'the app could not sign in to Exchange Online: check its credential (secret, certificate or managed identity) and that it asks for a token for the Exchange Online endpoint\'s /.default scope (EXO_ENDPOINT)',
  permission:
    'the app may not run this Exchange Online cmdlet: grant its app registration the Exchange.ManageAsApp application permission (Office 365 Exchange Online) with admin consent, and assign its service principal a directory role such as Exchange Administrator',
  licence:
    'Customer Lockbox is not available to this organisation: it needs Microsoft 365 or Office 365 E5 (or an add-on that includes Customer Lockbox, such as E5 Compliance)',
};

const LICENCE = /licen[cs]e|customer\s*lockbox\b[^.]*\b(?:not|isn't|is not)\s+(?:available|licensed|supported|enabled for)/i;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** EXO spells the same key innererror or innerError, message or Message. */
function field(value: unknown, name: string): unknown {
  if (!isObject(value)) return undefined;
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : value[key];
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * A cmdlet's own message comes either as JSON ({"Message","TypeName",…}) or as "code|type|message";
 * anything else is the message itself.
 */
function readDetailMessage(raw: string): ExoErrorDetail {
  if (raw.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(raw);
      const message = nonEmpty(field(json, 'Message'));
      if (message) return { message, type: nonEmpty(field(json, 'TypeName')) };
    } catch {
      // Not JSON after all: use it as it is.
    }
  }
  const piped = /^([^|\s]*)\|([^|\s]*)\|([\s\S]+)$/.exec(raw);
  if (piped) return { code: piped[1] || undefined, type: piped[2] || undefined, message: (piped[3] as string).trim() };
  return { message: raw };
}

/**
 * The most specific message in an admin API error: error.details[].message, else
 * error.innererror.internalexception.message, else error.message.
 */
export function readExoError(body: unknown): ExoErrorDetail {
  if (typeof body === 'string') return { message: nonEmpty(body)?.slice(0, 500) };
  const error = field(body, 'error');
  const code = nonEmpty(field(error, 'code'));
  const details = field(error, 'details');
  const detailMessages = (Array.isArray(details) ? details : [details]).map((d) => nonEmpty(field(d, 'message'))).filter((m): m is string => Boolean(m));
  if (detailMessages[0]) {
    const detail = readDetailMessage(detailMessages[0]);
    return { ...detail, code: detail.code ?? code };
  }
  const internal = field(field(error, 'innererror'), 'internalexception');
  const internalMessage = nonEmpty(field(internal, 'message'));
  if (internalMessage) return { message: internalMessage, type: nonEmpty(field(internal, 'type')), code };
  return { message: nonEmpty(field(error, 'message')), code };
}

export function classifyExoFailure(status: number, detail: ExoErrorDetail): ExoFailureKind {
  if (LICENCE.test(`${detail.message ?? ''} ${detail.type ?? ''}`)) return 'licence';
  if (status === 401) return 'sign-in';
  if (status === 403) return 'permission';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'rejected';
}

/** An UpstreamError that says, for an IT admin, what failed and what to fix; `kind` drives what the caller tries next. */
export class ExoFailure extends UpstreamError {
  constructor(message: string, readonly kind: ExoFailureKind, status: number, readonly detail: ExoErrorDetail) {
    super(message, kind === 'transient', status);
  }
}

export function exoFailure(what: string, response: JsonResponse): ExoFailure {
  const detail = readExoError(response.body);
  const kind = classifyExoFailure(response.status, detail);
  const advice = kind === 'transient' || kind === 'rejected' ? undefined : ADVICE[kind];
  const said = [`HTTP ${response.status}`, detail.message].filter(Boolean).join(': ');
  return new ExoFailure(`${what} failed (${said})${advice ? `; ${advice}` : ''}`, kind, response.status, detail);
}
