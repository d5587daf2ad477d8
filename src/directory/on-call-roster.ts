import type { OnCallRoster } from '../domain/notifications';
import type { GraphDirectory } from './graph-directory';

/** The on-call group's members, through nested groups, re-read at most every `refreshMs`. */
export class GraphOnCallRoster implements OnCallRoster {
  private cached?: { members: string[]; at: number };

  constructor(private readonly directory: GraphDirectory, private readonly groupId: string, private readonly refreshMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  async members(): Promise<string[]> {
    if (!this.cached || this.now() - this.cached.at >= this.refreshMs) this.cached = { members: await this.directory.membersOf(this.groupId), at: this.now() };
    return this.cached.members;
  }
}
