import { strict as assert } from 'node:assert';
import { AZURE_ROLES } from '../../src/domain/roles';
import { call, GROUPS, SUBSCRIPTION, upstream, USERS, useSimulator } from './helpers';

const ASSIGNMENTS = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments`;
const VERSION = 'api-version=2022-04-01';

function assignedTo(userId: string): string {
  return `${ASSIGNMENTS}?${VERSION}&$filter=${encodeURIComponent(`assignedTo('${userId}')`)}`;
}

describe('the simulated Azure RBAC role assignments', () => {
  const sim = useSimulator();

  it('lists the Owner assignment of the seeded subscription owner in the ARM shape', async () => {
    const res = await upstream(sim(), 'GET', assignedTo(USERS.isaiah));

    assert.equal(res.status, 200);
    assert.equal(res.body.value.length, 1);
    const [assignment] = res.body.value;
    assert.match(assignment.name, /^[0-9a-f-]{36}$/);
    assert.equal(assignment.id, `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`);
    assert.equal(assignment.type, 'Microsoft.Authorization/roleAssignments');
    assert.equal(assignment.properties.roleDefinitionId, `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${AZURE_ROLES.owner.id}`);
    assert.equal(assignment.properties.principalId, USERS.isaiah);
    assert.equal(assignment.properties.principalType, 'User');
    assert.equal(assignment.properties.scope, `/subscriptions/${SUBSCRIPTION}`);
  });

  it('lists nothing for a user with no Azure role, even a Global Administrator', async () => {
    const res = await upstream(sim(), 'GET', assignedTo(USERS.megan));

    assert.equal(res.status, 200);
    assert.deepEqual(res.body.value, []);
  });

  it('lists a role inherited from a management group with that group as its scope, and a group\'s role for its members with assignedTo() only', async () => {
    sim().tenant.grantAzureRole(SUBSCRIPTION, USERS.adele, AZURE_ROLES.owner.id, undefined, 'contoso-root');
    sim().tenant.grantAzureRole(SUBSCRIPTION, GROUPS.nightShift, AZURE_ROLES.lockboxApproverForSubscription.id);

    const [inherited] = (await upstream(sim(), 'GET', assignedTo(USERS.adele))).body.value;
    assert.equal(inherited.properties.scope, '/providers/Microsoft.Management/managementGroups/contoso-root');
    assert.equal(inherited.id, `/providers/Microsoft.Management/managementGroups/contoso-root/providers/Microsoft.Authorization/roleAssignments/${inherited.name}`);

    const [throughGroup] = (await upstream(sim(), 'GET', assignedTo(USERS.lynne))).body.value;
    assert.deepEqual([throughGroup.properties.principalId, throughGroup.properties.principalType], [GROUPS.nightShift, 'Group']);
    const direct = await upstream(sim(), 'GET', `${ASSIGNMENTS}?${VERSION}&$filter=${encodeURIComponent(`principalId eq '${USERS.lynne}'`)}`);
    assert.deepEqual(direct.body.value, [], 'principalId eq names the principal itself only');
  });

  it('lists every assignment at the subscription with atScope()', async () => {
    sim().tenant.grantAzureRole(SUBSCRIPTION, USERS.patti, AZURE_ROLES.lockboxApproverForSubscription.id);

    const res = await upstream(sim(), 'GET', `${ASSIGNMENTS}?${VERSION}&$filter=atScope()`);

    assert.deepEqual(res.body.value.map((a: { properties: { principalId: string } }) => a.properties.principalId), [USERS.alex, USERS.isaiah, USERS.patti]);
  });

  it('answers atScope() and assignedTo() together, as the bot asks: the user\'s roles at the subscription and above, through groups too', async () => {
    sim().tenant.grantAzureRole(SUBSCRIPTION, USERS.adele, AZURE_ROLES.owner.id, undefined, 'contoso-root');
    sim().tenant.grantAzureRole(SUBSCRIPTION, GROUPS.nightShift, AZURE_ROLES.lockboxApproverForSubscription.id);
    const both = (userId: string) => `${ASSIGNMENTS}?${VERSION}&$filter=${encodeURIComponent(`atScope() and assignedTo('${userId}')`)}`;

    const [inherited] = (await upstream(sim(), 'GET', both(USERS.adele))).body.value;
    assert.equal(inherited.properties.scope, '/providers/Microsoft.Management/managementGroups/contoso-root');
    const [throughGroup] = (await upstream(sim(), 'GET', both(USERS.lynne))).body.value;
    assert.equal(throughGroup.properties.principalId, GROUPS.nightShift);
    assert.deepEqual((await upstream(sim(), 'GET', both(USERS.megan))).body.value, []);
  });

  it('follows grants and revokes made through the admin API', async () => {
    const role = AZURE_ROLES.lockboxApproverForSubscription.id;
    const grant = await call(sim(), 'PUT', `/_simulator/azure/subscriptions/${SUBSCRIPTION}/users/${USERS.adele}/roles/${role}`);
    assert.equal(grant.status, 200);
    assert.equal((await upstream(sim(), 'GET', assignedTo(USERS.adele))).body.value.length, 1);

    await call(sim(), 'DELETE', `/_simulator/azure/subscriptions/${SUBSCRIPTION}/users/${USERS.adele}/roles/${role}`);

    assert.deepEqual((await upstream(sim(), 'GET', assignedTo(USERS.adele))).body.value, []);
  });

  it('requires api-version and a known subscription, with ARM error bodies', async () => {
    const noVersion = await upstream(sim(), 'GET', ASSIGNMENTS);
    const unknown = await upstream(sim(), 'GET', `/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/roleAssignments?${VERSION}`);

    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.body.error.code, 'MissingApiVersionParameter');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'SubscriptionNotFound');
  });

  it('rejects a filter it does not understand', async () => {
    const res = await upstream(sim(), 'GET', `${ASSIGNMENTS}?${VERSION}&$filter=${encodeURIComponent("roleName eq 'Owner'")}`);

    assert.equal(res.status, 400);
  });
});
