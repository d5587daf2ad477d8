import { z } from 'zod';
import { UpstreamError } from '../domain/errors';
import type { JsonResponse } from '../http/json-client';

const armError = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

const ADVICE: Record<number, string> = {
  401: "the bot's identity could not sign in to Azure Resource Manager: check its credential",
  403: "the bot's identity may not read support cases there: give it Reader (Microsoft.Support/supportTickets/read) on the subscription",
};

/** An Azure Support API error answer, as a message that says what to fix. */
export function supportFailure(what: string, response: JsonResponse): UpstreamError {
  const parsed = armError.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const detail = [`HTTP ${response.status}`, error?.code, error?.message].filter(Boolean).join(': ');
  const advice = ADVICE[response.status];
  const transient = response.status === 408 || response.status === 429 || response.status >= 500;
  return new UpstreamError(`${what} failed (${detail})${advice ? `; ${advice}` : ''}`, transient, response.status);
}
