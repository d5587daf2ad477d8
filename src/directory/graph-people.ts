import { z } from 'zod';
import { UpstreamError } from '../domain/errors';
import type { PeopleFinder } from '../domain/support-case';
import type { JsonClient } from '../http/json-client';

const users = z.object({ value: z.array(z.object({ id: z.string(), displayName: z.string().nullish() })) });
const EMAIL = /^[^\s@'"]{1,200}@[^\s@'"]{1,200}$/;

/** Finds a person by the e-mail address a support case names: their mail, or else their sign-in name (User.Read.All). */
export class GraphPeople implements PeopleFinder {
  constructor(private readonly graph: JsonClient) {}

  async findByEmail(email: string): Promise<{ id: string; displayName?: string } | undefined> {
    const address = email.trim();
    if (!EMAIL.test(address)) return undefined;
    const response = await this.graph.send({
      method: 'GET',
      url: 'v1.0/users',
      query: { $filter: `mail eq '${address}' or userPrincipalName eq '${address}'`, $select: 'id,displayName', $top: '2' },
    });
    if (response.status !== 200) throw new UpstreamError(`Finding the user with e-mail ${address} failed (HTTP ${response.status})`, response.status >= 500 || response.status === 429, response.status);
    const parsed = users.safeParse(response.body);
    if (!parsed.success) throw new UpstreamError('Microsoft Graph answered the user search with an unexpected body', true, response.status);
    // Two people with one address is no one we can be sure of.
    const [only, other] = parsed.data.value;
    return only && !other ? { id: only.id, ...(only.displayName ? { displayName: only.displayName } : {}) } : undefined;
  }
}
