import { strict as assert } from 'node:assert';
import { DIRECTORY_ROLES } from '../../src/domain/roles';
import { call, upstream, USERS, useSimulator } from './helpers';

const APPROVER = DIRECTORY_ROLES.customerLockboxApprover.id;
const GLOBAL_ADMIN = DIRECTORY_ROLES.globalAdministrator.id;
const EVENTUAL = { consistencylevel: 'eventual' };

function transitive(userId: string, roleId?: string): string {
  const filter = roleId ? `principalId eq '${userId}' and roleDefinitionId eq '${roleId}'` : `principalId eq '${userId}'`;
  return `/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=${encodeURIComponent(filter)}`;
}

describe('the simulated Microsoft Graph', () => {
  describe('checking whether a user holds a directory role', () => {
    const sim = useSimulator();

    it('counts one assignment at directory scope for the seeded Customer LockBox Access Approver', async () => {
      const res = await upstream(sim(), 'GET', transitive(USERS.alex, APPROVER), { headers: EVENTUAL });

      assert.equal(res.status, 200);
      assert.equal(res.body['@odata.count'], 1);
      assert.match(res.body['@odata.context'], /\/beta\/\$metadata#roleManagement\/directory\/transitiveRoleAssignments$/);
      const [assignment] = res.body.value;
      assert.deepEqual(Object.keys(assignment).sort(), ['appScopeId', 'directoryScopeId', 'id', 'principalId', 'roleDefinitionId']);
      assert.equal(assignment.principalId, USERS.alex);
      assert.equal(assignment.roleDefinitionId, APPROVER);
      assert.equal(assignment.directoryScopeId, '/');
      assert.equal(assignment.appScopeId, null);
    });

    it('counts nothing for a user without the role', async () => {
      const res = await upstream(sim(), 'GET', transitive(USERS.adele, APPROVER), { headers: EVENTUAL });

      assert.equal(res.status, 200);
      assert.equal(res.body['@odata.count'], 0);
      assert.deepEqual(res.body.value, []);
    });

    it('lists every role of a user when the filter names only the principal', async () => {
      sim().tenant.grantDirectoryRole(USERS.megan, APPROVER);

      const res = await upstream(sim(), 'GET', transitive(USERS.megan), { headers: EVENTUAL });

      assert.deepEqual(res.body.value.map((a: { roleDefinitionId: string }) => a.roleDefinitionId).sort(), [APPROVER, GLOBAL_ADMIN].sort());
    });

    it('does not find the segment without ConsistencyLevel: eventual, as the reference says Graph answers', async () => {
      const res = await upstream(sim(), 'GET', transitive(USERS.alex, APPROVER));

      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'Request_ResourceNotFound');
      assert.ok(res.body.error.innerError['request-id']);
      assert.ok(res.body.error.innerError.date);
      assert.equal(res.headers.get('request-id'), res.body.error.innerError['request-id']);
    });

    it('requires a filter on principalId', async () => {
      const res = await upstream(sim(), 'GET', `/beta/roleManagement/directory/transitiveRoleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${APPROVER}'`)}`, { headers: EVENTUAL });

      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'Request_UnsupportedQuery');
    });

    it('answers 401 InvalidAuthenticationToken without a bearer token', async () => {
      const res = await call(sim(), 'GET', transitive(USERS.alex, APPROVER), { headers: EVENTUAL });

      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'InvalidAuthenticationToken');
    });

    it('stops counting a role as soon as the admin API revokes it', async () => {
      const revoke = await call(sim(), 'DELETE', `/_simulator/directory/users/${USERS.alex}/roles/${APPROVER}`);
      assert.equal(revoke.status, 200);
      assert.equal(revoke.body.wasAssigned, true);

      const res = await upstream(sim(), 'GET', transitive(USERS.alex, APPROVER), { headers: EVENTUAL });

      assert.equal(res.body['@odata.count'], 0);
    });

    it('counts a role as soon as the admin API grants it', async () => {
      const grant = await call(sim(), 'PUT', `/_simulator/directory/users/${USERS.patti}/roles/${GLOBAL_ADMIN}`);
      assert.equal(grant.status, 200);

      const res = await upstream(sim(), 'GET', transitive(USERS.patti, GLOBAL_ADMIN), { headers: EVENTUAL });

      assert.equal(res.body['@odata.count'], 1);
    });
  });

  describe('listing who holds a role', () => {
    const sim = useSimulator({ pageSize: 2 });

    it('lists the holders of a role with their user expanded', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${GLOBAL_ADMIN}'`)}&$expand=principal`);

      assert.equal(res.status, 200);
      assert.match(res.body['@odata.context'], /\/v1\.0\/\$metadata#roleManagement\/directory\/roleAssignments/);
      assert.equal(res.body.value.length, 1);
      const [assignment] = res.body.value;
      assert.equal(assignment.principalId, USERS.megan);
      assert.equal(assignment.directoryScopeId, '/');
      assert.deepEqual(assignment.principal, {
        '@odata.type': '#microsoft.graph.user', id: USERS.megan, displayName: 'Megan Bowen', userPrincipalName: 'meganb@contoso.example',
      });
    });

    it('leaves the principal out without $expand', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${APPROVER}'`)}`);

      assert.equal(res.body.value[0].principal, undefined);
    });

    it('pages through @odata.nextLink when more hold the role than fit a page', async () => {
      for (const user of [USERS.adele, USERS.isaiah, USERS.patti, USERS.megan]) sim().tenant.grantDirectoryRole(user, APPROVER);

      const holders: string[] = [];
      let next: string | undefined = `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${APPROVER}'`)}&$expand=principal`;
      while (next) {
        const res = await upstream(sim(), 'GET', next);
        assert.equal(res.status, 200);
        assert.ok(res.body.value.length <= 2);
        holders.push(...res.body.value.map((a: { principal: { displayName: string } }) => a.principal.displayName));
        next = res.body['@odata.nextLink'];
      }

      // The seeded group "Lockbox Approvers" holds the role too, as a group principal.
      assert.deepEqual(holders, ['Alex Wilber', 'Lockbox Approvers', 'Adele Vance', 'Isaiah Langer', 'Patti Fernandez', 'Megan Bowen']);
    });

    it('no longer lists a holder whose role the admin API revoked', async () => {
      await call(sim(), 'DELETE', `/_simulator/directory/users/${USERS.megan}/roles/${GLOBAL_ADMIN}`);

      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${GLOBAL_ADMIN}'`)}`);

      assert.deepEqual(res.body.value, []);
    });

    it('rejects a filter it does not understand', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent("startswith(principalId,'0')")}`);

      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'Request_UnsupportedQuery');
    });
  });

  describe('reading a user', () => {
    const sim = useSimulator();

    it('answers the user by object id', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/users/${USERS.alex}`);

      assert.equal(res.status, 200);
      assert.equal(res.body.id, USERS.alex);
      assert.equal(res.body.displayName, 'Alex Wilber');
      assert.equal(res.body.userPrincipalName, 'alexw@contoso.example');
      assert.equal(res.body.mail, 'alexw@contoso.example');
    });

    it('answers only the selected properties', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/users/meganb@contoso.example?$select=displayName,mail`);

      assert.equal(res.status, 200);
      assert.equal(res.body.displayName, 'Megan Bowen');
      assert.equal(res.body.mail, 'meganb@contoso.example');
      assert.equal(res.body.id, undefined);
    });

    it('answers 404 Request_ResourceNotFound for an unknown user', async () => {
      const res = await upstream(sim(), 'GET', '/v1.0/users/11111111-1111-4111-8111-111111111111');

      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'Request_ResourceNotFound');
    });
  });

  describe('active role assignments and when they started (v1.0 roleAssignmentScheduleInstances)', () => {
    const sim = useSimulator();
    const instances = (roleId: string, expand = false) => `/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=${encodeURIComponent(`roleDefinitionId eq '${roleId}'`)}${expand ? '&$expand=principal' : ''}`;

    it('lists a permanent assignment field for field as Graph\'s example does, with no start', async () => {
      const res = await upstream(sim(), 'GET', instances(GLOBAL_ADMIN));
      assert.equal(res.status, 200);
      assert.match(res.body['@odata.context'], /\/v1\.0\/\$metadata#roleManagement\/directory\/roleAssignmentScheduleInstances$/);
      const [megan] = res.body.value;
      assert.deepEqual(Object.keys(megan).sort(), ['appScopeId', 'assignmentType', 'directoryScopeId', 'endDateTime', 'id', 'memberType', 'principalId', 'roleAssignmentOriginId', 'roleAssignmentScheduleId', 'roleDefinitionId', 'startDateTime']);
      assert.deepEqual([megan.principalId, megan.directoryScopeId, megan.startDateTime, megan.endDateTime, megan.assignmentType, megan.memberType], [USERS.megan, '/', null, null, 'Assigned', 'Direct']);
    });

    it('dates a PIM activation made through the admin route, names a group as principal for a group-held role, and expands the principal', async () => {
      const activated = await call(sim(), 'PUT', `/_simulator/directory/users/${USERS.adele}/roles/${GLOBAL_ADMIN}/activation`);
      assert.equal(activated.status, 200);
      const res = await upstream(sim(), 'GET', instances(GLOBAL_ADMIN, true));
      const adele = res.body.value.find((a: { principalId: string }) => a.principalId === USERS.adele);
      assert.equal(adele.assignmentType, 'Activated');
      assert.equal(adele.startDateTime, activated.body.startDateTime);
      assert.equal(Date.parse(adele.endDateTime) - Date.parse(adele.startDateTime), 8 * 3_600_000);
      assert.equal(adele.principal['@odata.type'], '#microsoft.graph.user');

      const approvers = await upstream(sim(), 'GET', instances(APPROVER, true));
      const group = approvers.body.value.find((a: { principal: { '@odata.type': string } }) => a.principal['@odata.type'] === '#microsoft.graph.group');
      assert.equal(group.principal.displayName, 'Lockbox Approvers');
    });
  });

  describe('a user\'s memberships (v1.0 transitiveMemberOf)', () => {
    const sim = useSimulator();

    it('lists the groups through nesting and the directory roles held through a role-assignable group, each with its type', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/users/${USERS.patti}/transitiveMemberOf`);
      assert.equal(res.status, 200);
      const seen = res.body.value.map((o: { '@odata.type': string; displayName: string; roleTemplateId?: string }) => [o['@odata.type'], o.displayName]).sort();
      assert.deepEqual(seen, [
        ['#microsoft.graph.directoryRole', 'Customer LockBox Access Approver'],
        ['#microsoft.graph.group', 'Lockbox Approvers'],
        ['#microsoft.graph.group', 'Night shift'],
        ['#microsoft.graph.group', 'Security On-call'],
      ]);
      const role = res.body.value.find((o: { '@odata.type': string }) => o['@odata.type'] === '#microsoft.graph.directoryRole');
      assert.equal(role.roleTemplateId, APPROVER);
      assert.notEqual(role.id, APPROVER, 'a directoryRole has its own object id');
    });

    it('answers 404 for an unknown user', async () => {
      const res = await upstream(sim(), 'GET', '/v1.0/users/11111111-1111-4111-8111-111111111111/transitiveMemberOf');
      assert.equal(res.status, 404);
    });
  });
});
