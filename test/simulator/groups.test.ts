import { strict as assert } from 'node:assert';
import { DIRECTORY_ROLES } from '../../src/domain/roles';
import { DEFAULT_SEED, startSimulator } from '../../src/simulator';
import { call, GROUPS, upstream, USERS, useSimulator, type JsonResponse } from './helpers';

const APPROVER = DIRECTORY_ROLES.customerLockboxApprover.id;
const GLOBAL_ADMIN = DIRECTORY_ROLES.globalAdministrator.id;
const EVENTUAL = { consistencylevel: 'eventual' };

function transitive(userId: string, roleId?: string): string {
  const filter = roleId ? `principalId eq '${userId}' and roleDefinitionId eq '${roleId}'` : `principalId eq '${userId}'`;
  return `/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=${encodeURIComponent(filter)}`;
}

function members(groupId: string, cast = '', query = ''): string {
  return `/v1.0/groups/${groupId}/transitiveMembers${cast ? `/${cast}` : ''}${query ? `?${query}` : ''}`;
}

const USER_SELECT = '$select=id,displayName,userPrincipalName';

type Sim = ReturnType<ReturnType<typeof useSimulator>>;

/** Follows @odata.nextLink to the end; answers every page. */
async function allPages(sim: Sim, first: string, headers?: Record<string, string>): Promise<JsonResponse[]> {
  const pages: JsonResponse[] = [];
  for (let next: string | undefined = first; next !== undefined; next = pages[pages.length - 1]?.body['@odata.nextLink']) {
    const res = await upstream(sim, 'GET', next, { headers });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages.push(res);
  }
  return pages;
}

describe('groups in the simulated tenant', () => {
  describe('holding a directory role through a group', () => {
    const sim = useSimulator();

    it('counts the approver role Patti holds only through a group, naming the role-assignable group as the principal', async () => {
      const res = await upstream(sim(), 'GET', transitive(USERS.patti, APPROVER), { headers: EVENTUAL });

      assert.equal(res.status, 200);
      assert.equal(res.body['@odata.count'], 1);
      const [assignment] = res.body.value;
      assert.equal(assignment.principalId, GROUPS.lockboxApprovers);
      assert.equal(assignment.roleDefinitionId, APPROVER);
      assert.equal(assignment.directoryScopeId, '/');
      assert.deepEqual(Object.keys(assignment).sort(), ['appScopeId', 'directoryScopeId', 'id', 'principalId', 'roleDefinitionId']);
    });

    it('lists direct and group-held roles together when the filter names only the principal', async () => {
      sim().tenant.grantDirectoryRole(USERS.patti, GLOBAL_ADMIN);

      const res = await upstream(sim(), 'GET', transitive(USERS.patti), { headers: EVENTUAL });

      assert.deepEqual(
        res.body.value.map((a: { principalId: string; roleDefinitionId: string }) => [a.principalId, a.roleDefinitionId]),
        [[GROUPS.lockboxApprovers, APPROVER], [USERS.patti, GLOBAL_ADMIN]],
      );
      assert.equal(res.body['@odata.count'], 2);
    });

    it('counts a role for the role-assignable group itself, and nothing for the nested groups or a user only in them', async () => {
      const holder = await upstream(sim(), 'GET', transitive(GROUPS.lockboxApprovers, APPROVER), { headers: EVENTUAL });
      const counts: number[] = [];
      for (const principal of [GROUPS.securityOnCall, GROUPS.nightShift, USERS.lynne, USERS.adele]) {
        counts.push((await upstream(sim(), 'GET', transitive(principal, APPROVER), { headers: EVENTUAL })).body['@odata.count']);
      }

      assert.equal(holder.body['@odata.count'], 1);
      assert.equal(holder.body.value[0].principalId, GROUPS.lockboxApprovers);
      // Lynne is in Security On-call through Night shift, neither of which holds a role.
      assert.deepEqual(counts, [0, 0, 0, 0]);
    });

    it('keeps roleAssignments direct: a principalId filter on Patti finds no assignment', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${USERS.patti}'`)}`);

      assert.equal(res.status, 200);
      assert.deepEqual(res.body.value, []);
    });

    it('finds nothing at an administrative unit scope', async () => {
      const filter = `principalId eq '${USERS.patti}' and directoryScopeId eq '/administrativeUnits/11111111-1111-4111-8111-111111111111'`;
      const res = await upstream(sim(), 'GET', `/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=${encodeURIComponent(filter)}`, { headers: EVENTUAL });

      assert.equal(res.body['@odata.count'], 0);
    });

    it('stops counting the role as soon as the admin API takes Patti out of the role-assignable group, though she stays in the nested ones', async () => {
      const removed = await call(sim(), 'DELETE', `/_simulator/groups/${GROUPS.lockboxApprovers}/members/${USERS.patti}`);
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.body, { groupId: GROUPS.lockboxApprovers, memberId: USERS.patti, member: false, wasMember: true });

      const res = await upstream(sim(), 'GET', transitive(USERS.patti, APPROVER), { headers: EVENTUAL });
      const stillNested = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$select=id'));

      assert.equal(res.body['@odata.count'], 0);
      assert.deepEqual(stillNested.body.value, [{ id: USERS.patti }, { id: USERS.lynne }]);
    });

    it('counts the role as soon as the admin API puts a user into the role-assignable group, and not for a nested one', async () => {
      const nested = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.nightShift}/members/${USERS.adele}`);
      assert.equal(nested.status, 200);
      const beforeRes = await upstream(sim(), 'GET', transitive(USERS.adele, APPROVER), { headers: EVENTUAL });
      assert.equal(beforeRes.body['@odata.count'], 0);

      const added = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.lockboxApprovers}/members/${USERS.adele}`);
      assert.equal(added.status, 200);
      assert.deepEqual(added.body, { groupId: GROUPS.lockboxApprovers, memberId: USERS.adele, member: true, wasMember: false });

      const res = await upstream(sim(), 'GET', transitive(USERS.adele, APPROVER), { headers: EVENTUAL });

      assert.equal(res.body['@odata.count'], 1);
      assert.equal(res.body.value[0].principalId, GROUPS.lockboxApprovers);
    });

    it('stops counting the role for every member when the role-assignable group loses it', async () => {
      await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.lockboxApprovers}/members/${USERS.lynne}`);
      const held = await upstream(sim(), 'GET', transitive(USERS.lynne, APPROVER), { headers: EVENTUAL });
      assert.equal(held.body['@odata.count'], 1);

      assert.equal(sim().tenant.revokeDirectoryRole(GROUPS.lockboxApprovers, APPROVER), true);

      for (const user of [USERS.patti, USERS.lynne]) {
        const res = await upstream(sim(), 'GET', transitive(user, APPROVER), { headers: EVENTUAL });
        assert.equal(res.body['@odata.count'], 0, user);
      }
    });
  });

  describe('refusing a group inside a role-assignable group, as Entra does', () => {
    const sim = useSimulator();

    it('answers 400 GroupNestingNotAllowed to the admin API, and changes nothing', async () => {
      for (const group of [GROUPS.securityOnCall, GROUPS.nightShift]) {
        const res = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.lockboxApprovers}/members/${group}`);
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, 'GroupNestingNotAllowed');
        assert.match(res.body.error.message, /role-assignable/);
        assert.ok(res.body.error.message.includes(group) && res.body.error.message.includes(GROUPS.lockboxApprovers), res.body.error.message);
      }

      const lynne = await upstream(sim(), 'GET', transitive(USERS.lynne, APPROVER), { headers: EVENTUAL });
      const direct = await call(sim(), 'GET', '/_simulator/groups');

      assert.equal(lynne.body['@odata.count'], 0);
      assert.deepEqual(direct.body.value[0].members, [USERS.patti]);
      assert.deepEqual(sim().tenant.findGroup(GROUPS.lockboxApprovers)?.members, [USERS.patti]);
    });

    it('still lets a group join an ordinary group', async () => {
      const res = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.nightShift}/members/${GROUPS.securityOnCall}`);

      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { groupId: GROUPS.nightShift, memberId: GROUPS.securityOnCall, member: true, wasMember: false });
    });

    it('refuses to start on a seed that puts a group inside a role-assignable group', async () => {
      const groups = (DEFAULT_SEED.groups ?? []).map((g) => (g.id === GROUPS.lockboxApprovers ? { ...g, members: [...g.members, GROUPS.securityOnCall] } : g));

      await assert.rejects(startSimulator({ port: 0, seed: { ...DEFAULT_SEED, groups } }), /^Error: Seed: .*role-assignable/);
    });
  });

  describe('a deeper nesting with a membership loop', () => {
    const ADMINS = '00000000-0000-4000-8000-000000000200';
    const TOP = '00000000-0000-4000-8000-000000000201';
    const MIDDLE = '00000000-0000-4000-8000-000000000202';
    const BOTTOM = '00000000-0000-4000-8000-000000000203';
    const sim = useSimulator({
      seed: {
        ...DEFAULT_SEED,
        groups: [
          // Role-assignable, so users only; Lynne is also three groups deep in the loop below.
          { id: ADMINS, displayName: 'Admins', members: [USERS.lynne], directoryRoles: [GLOBAL_ADMIN] },
          { id: TOP, displayName: 'Top', members: [MIDDLE] },
          { id: MIDDLE, displayName: 'Middle', members: [BOTTOM] },
          // The loop back to Top must neither hang nor repeat anyone.
          { id: BOTTOM, displayName: 'Bottom', members: [USERS.lynne, TOP] },
        ],
      },
    });

    it('counts a role once for a user who also sits in a membership loop, and nothing for the groups in it', async () => {
      const res = await upstream(sim(), 'GET', transitive(USERS.lynne, GLOBAL_ADMIN), { headers: EVENTUAL });
      const all = await upstream(sim(), 'GET', transitive(USERS.lynne), { headers: EVENTUAL });
      const looped = await upstream(sim(), 'GET', transitive(MIDDLE), { headers: EVENTUAL });

      assert.equal(res.body['@odata.count'], 1);
      assert.equal(res.body.value[0].principalId, ADMINS);
      assert.deepEqual(all.body.value.map((a: { principalId: string }) => a.principalId), [ADMINS]);
      assert.equal(looped.status, 200);
      assert.equal(looped.body['@odata.count'], 0);
    });

    it('lists each member once and never the group asked about', async () => {
      const res = await upstream(sim(), 'GET', members(TOP));

      assert.deepEqual(res.body.value.map((m: { id: string }) => m.id), [USERS.lynne, MIDDLE, BOTTOM]);
    });
  });

  describe('listing who holds a role', () => {
    const sim = useSimulator();

    it('expands a group principal with its @odata.type, id and displayName', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${APPROVER}'`)}&$expand=principal`);

      assert.equal(res.status, 200);
      assert.deepEqual(res.body.value.map((a: { principalId: string }) => a.principalId), [USERS.alex, GROUPS.lockboxApprovers]);
      const group = res.body.value[1];
      assert.equal(group.directoryScopeId, '/');
      assert.deepEqual(group.principal, { '@odata.type': '#microsoft.graph.group', id: GROUPS.lockboxApprovers, displayName: 'Lockbox Approvers' });
      assert.equal(res.body.value[0].principal['@odata.type'], '#microsoft.graph.user');
    });
  });

  describe('listing a group\'s members through nesting', () => {
    const sim = useSimulator({ pageSize: 2 });

    it('lists the users reached through nesting with the microsoft.graph.user cast, with only the selected properties', async () => {
      const res = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', USER_SELECT));

      assert.equal(res.status, 200);
      assert.match(res.body['@odata.context'], /\/v1\.0\/\$metadata#users\(id,displayName,userPrincipalName\)$/);
      assert.deepEqual(res.body.value, [
        { id: USERS.patti, displayName: 'Patti Fernandez', userPrincipalName: 'pattif@contoso.example' },
        { id: USERS.lynne, displayName: 'Lynne Robbins', userPrincipalName: 'lynner@contoso.example' },
      ]);
      assert.equal(res.body['@odata.nextLink'], undefined);
    });

    it('lists users and groups alike, each with its @odata.type, without the cast', async () => {
      const pages = await allPages(sim(), members(GROUPS.securityOnCall));

      assert.match(pages[0]?.body['@odata.context'], /#directoryObjects$/);
      const [patti, lynne, group, ...rest] = pages.flatMap((p) => p.body.value);
      assert.deepEqual(patti, {
        '@odata.type': '#microsoft.graph.user', id: USERS.patti, displayName: 'Patti Fernandez', userPrincipalName: 'pattif@contoso.example', mail: 'pattif@contoso.example',
      });
      assert.equal(lynne['@odata.type'], '#microsoft.graph.user');
      assert.equal(lynne.id, USERS.lynne);
      assert.equal(group['@odata.type'], '#microsoft.graph.group');
      assert.equal(group.id, GROUPS.nightShift);
      assert.equal(group.displayName, 'Night shift');
      assert.equal(group.isAssignableToRole, false);
      assert.deepEqual(rest, []);
    });

    it('keeps only the groups with the microsoft.graph.group cast', async () => {
      const res = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.group', '$select=id,displayName'));

      assert.deepEqual(res.body.value, [{ id: GROUPS.nightShift, displayName: 'Night shift' }]);
      assert.match(res.body['@odata.context'], /#groups\(id,displayName\)$/);
    });

    it('lists a user reached along two paths once', async () => {
      const added = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/${USERS.patti}`);
      assert.deepEqual([added.status, added.body.wasMember], [200, false]);

      const res = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$select=id'));

      assert.deepEqual(res.body.value, [{ id: USERS.patti }, { id: USERS.lynne }]);
      assert.equal(res.body['@odata.nextLink'], undefined);
    });

    it('stops listing every member of the nested group as soon as it leaves Security On-call', async () => {
      const removed = await call(sim(), 'DELETE', `/_simulator/groups/${GROUPS.securityOnCall}/members/${GROUPS.nightShift}`);
      assert.deepEqual(removed.body, { groupId: GROUPS.securityOnCall, memberId: GROUPS.nightShift, member: false, wasMember: true });

      const res = await upstream(sim(), 'GET', members(GROUPS.securityOnCall));
      const pattiRole = await upstream(sim(), 'GET', transitive(USERS.patti, APPROVER), { headers: EVENTUAL });

      assert.equal(res.status, 200);
      assert.deepEqual(res.body.value, []);
      // The role-assignable group is untouched.
      assert.equal(pattiRole.body['@odata.count'], 1);
    });

    it('pages through @odata.nextLink at the page size, keeping the query', async () => {
      for (const user of [USERS.alex, USERS.megan, USERS.adele, USERS.isaiah]) {
        assert.equal((await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.nightShift}/members/${user}`)).status, 200);
      }

      const seen: string[] = [];
      let next: string | undefined = members(GROUPS.securityOnCall, 'microsoft.graph.user', USER_SELECT);
      let pages = 0;
      while (next) {
        const res = await upstream(sim(), 'GET', next);
        assert.equal(res.status, 200);
        assert.ok(res.body.value.length <= 2);
        seen.push(...res.body.value.map((u: { displayName: string }) => u.displayName));
        next = res.body['@odata.nextLink'];
        if (next) assert.ok(next.startsWith(sim().url) && next.includes('$select=id%2CdisplayName%2CuserPrincipalName'), next);
        pages++;
      }

      assert.equal(pages, 3);
      assert.deepEqual(seen, ['Alex Wilber', 'Megan Bowen', 'Adele Vance', 'Isaiah Langer', 'Patti Fernandez', 'Lynne Robbins']);
    });

    it('takes $top as the page size', async () => {
      assert.equal((await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.nightShift}/members/${USERS.alex}`)).status, 200);

      const res = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$top=3'));
      const tooMany = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$top=1000'));

      assert.equal(res.body.value.length, 3);
      assert.equal(res.body['@odata.nextLink'], undefined);
      assert.equal(tooMany.status, 400);
    });

    it('counts the members with $count=true under ConsistencyLevel: eventual, and refuses $count without it', async () => {
      const counted = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$count=true'), { headers: EVENTUAL });
      const refused = await upstream(sim(), 'GET', members(GROUPS.securityOnCall, 'microsoft.graph.user', '$count=true'));

      assert.equal(counted.body['@odata.count'], 2);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'Request_BadRequest');
    });

    it('answers 404 Request_ResourceNotFound for an unknown group, and for a user id in place of a group', async () => {
      for (const id of ['11111111-1111-4111-8111-111111111111', USERS.patti]) {
        const res = await upstream(sim(), 'GET', members(id, 'microsoft.graph.user'));
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'Request_ResourceNotFound');
        assert.ok(res.body.error.innerError['request-id']);
      }
    });

    it('refuses a cast to a member type it does not support, and a $filter, with 400 Request_UnsupportedQuery', async () => {
      const device = await upstream(sim(), 'GET', members(GROUPS.lockboxApprovers, 'microsoft.graph.device'));
      const filtered = await upstream(sim(), 'GET', members(GROUPS.lockboxApprovers, 'microsoft.graph.user', `$filter=${encodeURIComponent("startswith(displayName,'P')")}`));

      assert.equal(device.status, 400);
      assert.equal(device.body.error.code, 'Request_UnsupportedQuery');
      assert.equal(filtered.status, 400);
      assert.equal(filtered.body.error.code, 'Request_UnsupportedQuery');
    });

    it('answers 401 without a bearer token', async () => {
      const res = await call(sim(), 'GET', members(GROUPS.lockboxApprovers, 'microsoft.graph.user'));

      assert.equal(res.status, 401);
    });

    it('fails a call with an injected fault, then answers, and records both in the call log', async () => {
      await call(sim(), 'POST', '/_simulator/faults', { body: { method: 'GET', path: '/transitiveMembers/', status: 503, retryAfterSeconds: 2 } });

      const failed = await upstream(sim(), 'GET', members(GROUPS.lockboxApprovers, 'microsoft.graph.user', '$select=id'));
      const answered = await upstream(sim(), 'GET', members(GROUPS.lockboxApprovers, 'microsoft.graph.user', '$select=id'));
      const calls = await call(sim(), 'GET', '/_simulator/calls');

      assert.equal(failed.status, 503);
      assert.equal(failed.headers.get('retry-after'), '2');
      assert.equal(failed.body.error.code, 'ServiceUnavailable');
      assert.ok(failed.body.error.innerError['request-id']);
      assert.equal(answered.status, 200);
      assert.deepEqual(
        calls.body.map((c: { method: string; path: string; query: Record<string, string>; status: number }) => [c.method, c.path, c.query, c.status]),
        [
          ['GET', `/v1.0/groups/${GROUPS.lockboxApprovers}/transitiveMembers/microsoft.graph.user`, { $select: 'id' }, 503],
          ['GET', `/v1.0/groups/${GROUPS.lockboxApprovers}/transitiveMembers/microsoft.graph.user`, { $select: 'id' }, 200],
        ],
      );
    });
  });

  describe('the group admin API', () => {
    const sim = useSimulator();

    it('lists the seeded groups with their direct members and directory roles', async () => {
      const res = await call(sim(), 'GET', '/_simulator/groups');

      assert.equal(res.status, 200);
      assert.deepEqual(res.body.value, [
        { id: GROUPS.lockboxApprovers, displayName: 'Lockbox Approvers', members: [USERS.patti], isAssignableToRole: true, directoryRoles: [APPROVER] },
        { id: GROUPS.securityOnCall, displayName: 'Security On-call', members: [GROUPS.nightShift], isAssignableToRole: false, directoryRoles: [] },
        { id: GROUPS.nightShift, displayName: 'Night shift', members: [USERS.patti, USERS.lynne], isAssignableToRole: false, directoryRoles: [] },
      ]);
    });

    it('adds a member once however often it is put, takes a user principal name, and says whether it was one', async () => {
      const first = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/lynner@contoso.example`);
      const again = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/${USERS.lynne}`);
      const removed = await call(sim(), 'DELETE', `/_simulator/groups/${GROUPS.securityOnCall}/members/${USERS.lynne}`);
      const removedAgain = await call(sim(), 'DELETE', `/_simulator/groups/${GROUPS.securityOnCall}/members/${USERS.lynne}`);

      assert.deepEqual([first.body.memberId, first.body.wasMember, again.body.wasMember], [USERS.lynne, false, true]);
      assert.deepEqual([removed.body.wasMember, removedAgain.body.wasMember], [true, false]);
      assert.deepEqual(sim().tenant.findGroup(GROUPS.securityOnCall)?.members, [GROUPS.nightShift]);
    });

    it('refuses an unknown group, an unknown member, and a group joining itself', async () => {
      const unknownGroup = await call(sim(), 'PUT', `/_simulator/groups/11111111-1111-4111-8111-111111111111/members/${USERS.patti}`);
      const unknownMember = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/11111111-1111-4111-8111-111111111111`);
      const itself = await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/${GROUPS.securityOnCall}`);

      assert.equal(unknownGroup.status, 404);
      assert.equal(unknownGroup.body.error.code, 'GroupNotFound');
      assert.equal(unknownMember.status, 404);
      assert.equal(unknownMember.body.error.code, 'MemberNotFound');
      assert.equal(itself.status, 400);
    });

    it('is not recorded in the call log', async () => {
      await call(sim(), 'PUT', `/_simulator/groups/${GROUPS.securityOnCall}/members/${USERS.lynne}`);

      assert.deepEqual((await call(sim(), 'GET', '/_simulator/calls')).body, []);
    });
  });
});
