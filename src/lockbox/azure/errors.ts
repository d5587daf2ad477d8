import { z } from 'zod';
import { UpstreamError } from '../../domain/errors';
import type { JsonResponse } from '../../http/json-client';

const armError = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    additionalInfo: z.array(z.object({ type: z.string().optional(), info: z.object({ currentStatus: z.string().optional() }).passthrough().optional() })).optional(),
  }),
});

const ADVICE: Record<number, string> = {
  401: 'the bot\'s identity could not sign in to Azure Resource Manager: check its credential',
  // The Customer Lockbox role holds the reads too (requests, role assignments, the subscription): Reader adds nothing here.
  403: 'the bot\'s identity lacks access: give it "Azure Customer Lockbox Approver for Subscription" (or Owner) on the subscription',
  404: 'not found: check the subscription id and that Customer Lockbox is enabled for the tenant',
};

/** Turns an ARM error answer into an UpstreamError that says what to fix, keeping `currentStatus` when upstream gives it. */
export function armFailure(what: string, response: JsonResponse): UpstreamError {
  const parsed = armError.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const currentStatus = error?.additionalInfo?.map((a) => a.info?.currentStatus).find(Boolean);
  const detail = [`HTTP ${response.status}`, error?.code, error?.message].filter(Boolean).join(': ');
  const advice = ADVICE[response.status];
  const transient = response.status === 408 || response.status === 429 || response.status >= 500;
  return new UpstreamError(`${what} failed (${detail})${advice ? `; ${advice}` : ''}`, transient, response.status, currentStatus);
}
