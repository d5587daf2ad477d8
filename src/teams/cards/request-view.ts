import { actorName, COMMENT_MAX_LENGTH } from '../../domain/decision';
import type { TrackedRequest } from '../../domain/tracked';
import { isActionable } from '../../domain/tracked';
import { hasExpired, timeLeft } from '../../domain/request';
import { describeResource } from './resource';
import { duration, localTime, plain, productName } from './text';

export type NoticeStyle = 'attention' | 'warning' | 'good' | 'accent';

export interface Notice {
  text: string;
  style: NoticeStyle;
}


/** Everything the request card shows, in words, for one moment in time. */
export function requestView(tracked: TrackedRequest, now: Date, notice?: Notice) {
  const r = tracked.request;
  const d = tracked.decision;
  const actionable = isActionable(tracked, now);
  const facts = [
    { label: 'Request', value: plain(r.requestId) },
    { label: 'Source', value: productName(r.source) },
    r.subscriptionId && { label: 'Subscription', value: plain(r.subscriptionId) },
    { label: r.resourceIds.length > 1 ? 'Resources' : 'Resource', value: r.resourceIds.length ? r.resourceIds.map((id) => plain(describeResource(id))).join('\n\n') : 'Not stated' },
    r.resourceType && { label: 'Resource type', value: plain(r.resourceType) },
    r.supportRequest && { label: 'Support case', value: r.supportCaseUrl ? `[${plain(r.supportRequest)}](${r.supportCaseUrl})` : plain(r.supportRequest) },
    { label: 'Access for', value: r.durationHours !== undefined ? `${r.durationHours} hours` : plain(r.durationText ?? 'Not stated') },
    r.accessLevel && { label: 'Access level', value: plain(r.accessLevel) },
    { label: 'Requested', value: localTime(r.createdAt) },
    { label: 'Expires', value: `${localTime(r.expiresAt)}${actionable ? ` (in ${duration(timeLeft(r, now))})` : ''}` },
  ].filter((f): f is { label: string; value: string } => Boolean(f));

  return {
    requestKey: tracked.key,
    title: `Customer Lockbox request: ${productName(r.source)}`,
    ...status(tracked, now),
    notice: notice ?? null,
    facts,
    justification: plain(r.justification ?? 'No justification given.'),
    decision: d
      ? {
          line: `${d.verdict === 'approve' ? 'Approved' : 'Rejected'} by ${d.firstApproval ? `**${plain(actorName(d.firstApproval.actor))}** and ` : ''}**${plain(actorName(d.actor))}** on ${localTime(d.decidedAt)}`,
          comment: d.comment ? `"${plain(d.comment)}"` : '',
        }
      : null,
    actionable,
    commentMaxLength: COMMENT_MAX_LENGTH,
    supportCaseUrl: r.supportCaseUrl ?? null,
  };
}

function status(tracked: TrackedRequest, now: Date): { statusLine: string; headerStyle: string } {
  const r = tracked.request;
  const s = tracked.decision?.submission;
  if (tracked.goneAt) return { statusLine: `Gone: Microsoft stopped knowing this request on ${localTime(tracked.goneAt)} (its subscription may have been removed, or the bot lost access). Nothing can be decided here.`, headerStyle: 'default' };
  if (s?.state === 'pending') return { statusLine: 'Decision recorded. Sending it to Microsoft…', headerStyle: 'accent' };
  if (s?.state === 'failed') return { statusLine: `Microsoft did not accept this decision (${plain(s.lastError ?? 'no reason given')}). The request is still open.`, headerStyle: 'attention' };
  if (s?.state === 'adopted') return { statusLine: `Already ${plain(s.upstreamStatus ?? r.status)} outside Teams before this decision arrived.`, headerStyle: 'warning' };
  if (r.status === 'Approved') return { statusLine: 'Approved. Microsoft may access the resources for the requested time.', headerStyle: 'good' };
  if (r.status === 'Denied') return { statusLine: 'Rejected. Microsoft gets no access.', headerStyle: 'attention' };
  if (r.status === 'Pending' && hasExpired(r, now)) return { statusLine: 'Expired: nobody decided in time, so Microsoft gets no access.', headerStyle: 'default' };
  if (r.status === 'Pending' && tracked.firstApproval && !tracked.decision) {
    return { statusLine: `1 of 2 approvals: approved by ${plain(actorName(tracked.firstApproval.actor))}. A second, different approver must approve. Expires in ${duration(timeLeft(r, now))}.`, headerStyle: 'accent' };
  }
  if (r.status === 'Pending') return { statusLine: `Waiting for a decision. Expires in ${duration(timeLeft(r, now))}.`, headerStyle: 'warning' };
  return { statusLine: `Status: ${plain(r.status)}.`, headerStyle: 'default' };
}
