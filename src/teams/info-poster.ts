import type { InfoPoster } from '../domain/notifications';
import type { Store } from '../domain/ports';
import type { TrackedRequest } from '../domain/tracked';
import { noticeCard } from './cards/render';
import { describeResource } from './cards/resource';
import { plain, productName } from './cards/text';
import type { TeamsMessenger } from './messenger';

/** An information card, without buttons, for on-call staff who cannot decide: what arrived and who can. */
export class TeamsInfoPoster implements InfoPoster {
  constructor(private readonly store: Store, private readonly messenger: TeamsMessenger) {}

  async postInfo(userId: string, tracked: TrackedRequest, approverCount: number): Promise<string | undefined> {
    const conversation = await this.store.getConversation(userId);
    if (!conversation) return undefined;
    const r = tracked.request;
    const what = `${productName(r.source)} · ${plain(r.resourceIds[0] ? describeResource(r.resourceIds[0]) : r.requestId)}`;
    const who = approverCount === 1 ? 'One approver has' : `${approverCount} approvers have`;
    const card = noticeCard(
      'New Customer Lockbox request',
      `${what}. You are on call, so you are told; ${who} been asked to decide it. Deciding needs ${r.source === 'm365' ? 'the Customer LockBox Access Approver or Global Administrator role' : 'Owner or Azure Customer Lockbox Approver for Subscription on the subscription, or Global Administrator'}.`,
      'accent',
    );
    return this.messenger.postCard(conversation, card, `New Customer Lockbox request: ${productName(r.source)}`);
  }
}
