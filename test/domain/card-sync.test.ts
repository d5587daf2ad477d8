import assert from 'node:assert/strict';
import { requestKey } from '../../src/domain/request';
import { syncCards } from '../../src/domain/usecases/card-sync';
import { coreWithFakes, pollAndDeliver } from '../support/core';
import { conversationOf, pendingRequest } from '../support/fakes';

describe('card syncs', () => {
  it('keeps two bots in one process apart: one waiting on Teams never holds up the other', async () => {
    const request = pendingRequest();
    const bots = [coreWithFakes(), coreWithFakes()];
    for (const core of bots) {
      core.directory.approvers = new Set(['alex']);
      await core.store.saveConversation(conversationOf('alex'));
      core.source.add(request);
      await pollAndDeliver(core.deps);
    }
    const [stuck, other] = bots as [ReturnType<typeof coreWithFakes>, ReturnType<typeof coreWithFakes>];
    stuck.messenger.updateRequestCard = () => new Promise(() => undefined);
    void syncCards(stuck.deps, requestKey(request));
    await syncCards(other.deps, requestKey(request));
    assert.equal(other.messenger.updates.length, 1);
  });
});
