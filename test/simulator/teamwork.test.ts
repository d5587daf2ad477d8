import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SEED, type SimulatorLogger } from '../../src/simulator';
import { call, TEAMS_APP, TENANT, upstream, USERS, useSimulator } from './helpers';

const LOCKBOX_BOT = { id: TEAMS_APP.id, externalId: TEAMS_APP.externalId, displayName: 'Lockbox Bot', distributionMethod: 'organization' };
const BIND = { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${TEAMS_APP.id}` };
const SERVICE_URL = 'http://127.0.0.1:1/_connector';

function catalog(externalId: string): string {
  return `/v1.0/appCatalogs/teamsApps?$filter=${encodeURIComponent(`externalId eq '${externalId}'`)}`;
}

function installedApps(user: string, externalId?: string): string {
  const filter = externalId ? `&$filter=${encodeURIComponent(`teamsApp/externalId eq '${externalId}'`)}` : '';
  return `/v1.0/users/${user}/teamwork/installedApps?$expand=teamsApp${filter}`;
}

/** A stand-in for the bot's /api/messages on 127.0.0.1 that keeps what it is sent. */
interface FakeBot {
  url: string;
  activities: any[];
  /** Resolves with the n-th activity (0-based) once it has arrived. */
  activity(n: number): Promise<any>;
  close(): Promise<void>;
}

async function startFakeBot(status = 200): Promise<FakeBot> {
  const activities: any[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      activities.push({ path: req.url, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      // Separate calls: restify, loaded by other tests in the same process, makes writeHead return undefined.
      res.writeHead(status);
      res.end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/messages`,
    activities,
    activity: async (n) => {
      while (activities.length <= n) await new Promise<void>((resolve) => waiters.push(resolve));
      return activities[n];
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('Teams app installation through the simulated Graph', () => {
  describe('finding the app in the tenant catalog', () => {
    const sim = useSimulator();

    it('finds the Lockbox Bot by its manifest id', async () => {
      const res = await upstream(sim(), 'GET', catalog(TEAMS_APP.externalId));

      assert.equal(res.status, 200);
      assert.match(res.body['@odata.context'], /\/v1\.0\/\$metadata#appCatalogs\/teamsApps$/);
      assert.deepEqual(res.body.value, [LOCKBOX_BOT]);
    });

    it('answers an empty list for a manifest id it does not know', async () => {
      const res = await upstream(sim(), 'GET', catalog('11111111-1111-4111-8111-111111111111'));

      assert.equal(res.status, 200);
      assert.deepEqual(res.body.value, []);
    });

    it('also finds the app by catalog id and by distribution method, and matches ids in any case', async () => {
      const byId = await upstream(sim(), 'GET', `/v1.0/appCatalogs/teamsApps?$filter=${encodeURIComponent(`id eq '${TEAMS_APP.id.toUpperCase()}'`)}`);
      const organization = await upstream(sim(), 'GET', `/v1.0/appCatalogs/teamsApps?$filter=${encodeURIComponent("distributionMethod eq 'organization'")}`);

      assert.deepEqual(byId.body.value, [LOCKBOX_BOT]);
      assert.deepEqual(organization.body.value, [LOCKBOX_BOT]);
    });

    it('rejects a filter it does not understand with a 400 Graph error', async () => {
      const res = await upstream(sim(), 'GET', `/v1.0/appCatalogs/teamsApps?$filter=${encodeURIComponent("startswith(displayName,'Lock')")}`);

      assert.equal(res.status, 400);
      assert.ok(res.body.error.innerError['request-id']);
    });
  });

  describe('a seed with its own catalog ids', () => {
    const app = { id: '00000000-0000-4000-8000-0000000000c1', externalId: '00000000-0000-4000-8000-0000000000c2' };
    const sim = useSimulator({ seed: { ...DEFAULT_SEED, teamsApp: app } });

    it('lists the seeded app and installs it by its catalog id', async () => {
      const found = await upstream(sim(), 'GET', catalog(app.externalId));
      const installed = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, {
        body: { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${app.id}` },
      });

      assert.deepEqual(found.body.value, [{ ...app, displayName: 'Lockbox Bot', distributionMethod: 'organization' }]);
      assert.equal(installed.status, 201);
    });
  });

  describe('installing for a user', () => {
    const sim = useSimulator();

    it('installs the app with 201 and no body, then lists it filtered by manifest id with teamsApp expanded', async () => {
      const before = await upstream(sim(), 'GET', installedApps(USERS.patti, TEAMS_APP.externalId));
      const created = await upstream(sim(), 'POST', `/v1.0/users/${USERS.patti}/teamwork/installedApps`, { body: BIND });
      const after = await upstream(sim(), 'GET', installedApps(USERS.patti, TEAMS_APP.externalId));

      assert.deepEqual(before.body.value, []);
      assert.equal(created.status, 201);
      assert.equal(created.body, undefined);
      assert.equal(after.status, 200);
      assert.match(after.body['@odata.context'], new RegExp(`#users\\('${USERS.patti}'\\)/teamwork/installedApps\\(teamsApp\\(\\)\\)$`));
      assert.equal(after.body.value.length, 1);
      const [installation] = after.body.value;
      assert.deepEqual(installation.teamsApp, LOCKBOX_BOT);
      assert.notEqual(installation.id, TEAMS_APP.id);
      assert.equal(Buffer.from(installation.id, 'base64').toString('utf8'), `${USERS.patti}##${TEAMS_APP.id}`);
    });

    it('leaves teamsApp out without $expand, expands teamsAppDefinition when asked, and lists nothing for another manifest id', async () => {
      await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });

      const plain = await upstream(sim(), 'GET', `/v1.0/users/${USERS.alex}/teamwork/installedApps`);
      const definition = await upstream(sim(), 'GET', `/v1.0/users/${USERS.alex}/teamwork/installedApps?$expand=teamsApp,teamsAppDefinition`);
      const other = await upstream(sim(), 'GET', installedApps(USERS.alex, '11111111-1111-4111-8111-111111111111'));

      assert.deepEqual(Object.keys(plain.body.value[0]), ['id']);
      assert.equal(definition.body.value[0].teamsAppDefinition.teamsAppId, TEAMS_APP.id);
      assert.equal(definition.body.value[0].teamsAppDefinition.displayName, 'Lockbox Bot');
      assert.deepEqual(other.body.value, []);
    });

    it('answers 409 Conflict with a Graph error when the app is installed already', async () => {
      await upstream(sim(), 'POST', `/v1.0/users/${USERS.megan}/teamwork/installedApps`, { body: BIND });

      const again = await upstream(sim(), 'POST', `/v1.0/users/${USERS.megan}/teamwork/installedApps`, { body: BIND });

      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'Conflict');
      assert.ok(again.body.error.innerError['request-id']);
      assert.equal(sim().tenant.listInstalledApps(USERS.megan)?.length, 1);
    });

    it('takes the user principal name in place of the object id', async () => {
      const created = await upstream(sim(), 'POST', '/v1.0/users/adelev@contoso.example/teamwork/installedApps', { body: BIND });
      const listed = await upstream(sim(), 'GET', installedApps(USERS.adele, TEAMS_APP.externalId));

      assert.equal(created.status, 201);
      assert.equal(listed.body.value.length, 1);
    });

    it('answers 404 for an unknown user or an unknown catalog id', async () => {
      const unknownUser = await upstream(sim(), 'POST', '/v1.0/users/11111111-1111-4111-8111-111111111111/teamwork/installedApps', { body: BIND });
      const unknownApp = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, {
        body: { 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${TEAMS_APP.externalId}` },
      });
      const listUnknownUser = await upstream(sim(), 'GET', installedApps('11111111-1111-4111-8111-111111111111'));

      assert.equal(unknownUser.status, 404);
      assert.equal(unknownApp.status, 404);
      assert.equal(listUnknownUser.status, 404);
      assert.ok(unknownApp.body.error.innerError['request-id']);
      assert.deepEqual(sim().tenant.listInstalledApps(USERS.alex), []);
    });

    it('answers 400 for a body that is not JSON or has no teamsApp@odata.bind link', async () => {
      const bodies: unknown[] = ['{not json', {}, { teamsApp: TEAMS_APP.id }, { 'teamsApp@odata.bind': TEAMS_APP.id }, [BIND]];
      for (const body of bodies) {
        const res = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'BadRequest');
      }
      assert.deepEqual(sim().tenant.listInstalledApps(USERS.alex), []);
    });

    it('answers 401 without a bearer token and installs nothing', async () => {
      const res = await call(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });

      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'InvalidAuthenticationToken');
      assert.deepEqual(sim().tenant.listInstalledApps(USERS.alex), []);
    });

    it('fails an install with an injected 403, which installs nothing, and records every call in the call log', async () => {
      await call(sim(), 'POST', '/_simulator/faults', { body: { method: 'POST', path: '/teamwork/installedApps$', status: 403 } });

      const refused = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      const installedNothing = sim().tenant.listInstalledApps(USERS.alex);
      const created = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      await upstream(sim(), 'GET', catalog(TEAMS_APP.externalId));
      const calls = await call(sim(), 'GET', '/_simulator/calls');

      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'AuthorizationFailed');
      assert.deepEqual(installedNothing, []);
      assert.equal(created.status, 201);
      assert.deepEqual(calls.body.map((c: { method: string; path: string; status: number }) => [c.method, c.path, c.status]), [
        ['POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, 403],
        ['POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, 201],
        ['GET', '/v1.0/appCatalogs/teamsApps', 200],
      ]);
      assert.deepEqual(calls.body[2].query, { $filter: `externalId eq '${TEAMS_APP.externalId}'` });
    });
  });

  describe('telling the bot, as Teams does', () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger: SimulatorLogger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message, fields) => warnings.push({ message, fields }),
      error: (message, fields) => warnings.push({ message, fields }),
    };
    const sim = useSimulator({ logger });
    let bot: FakeBot | undefined;
    beforeEach(() => {
      warnings.length = 0;
    });
    afterEach(async () => {
      await bot?.close();
      bot = undefined;
    });

    const configure = async (botEndpoint: string): Promise<void> => {
      const res = await call(sim(), 'PUT', '/_simulator/teams', { body: { botEndpoint, serviceUrl: SERVICE_URL } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };

    it('posts the bot a personal conversationUpdate once the install has answered 201', async () => {
      bot = await startFakeBot();
      await configure(bot.url);

      const created = await upstream(sim(), 'POST', `/v1.0/users/${USERS.patti}/teamwork/installedApps`, { body: BIND });
      const received = await bot.activity(0);

      assert.equal(created.status, 201);
      assert.equal(received.path, '/api/messages');
      assert.match(received.contentType, /^application\/json/);
      const { id, timestamp, ...activity } = received.body;
      assert.ok(typeof id === 'string' && id.length > 0);
      assert.ok(!Number.isNaN(Date.parse(timestamp)));
      assert.deepEqual(activity, {
        type: 'conversationUpdate',
        channelId: 'msteams',
        serviceUrl: SERVICE_URL,
        from: { id: `29:${USERS.patti}`, aadObjectId: USERS.patti, name: 'Patti Fernandez' },
        recipient: { id: `28:${TEAMS_APP.externalId}`, name: 'Lockbox Bot' },
        conversation: { id: `a:personal-${USERS.patti}`, conversationType: 'personal', tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
        membersAdded: [{ id: `28:${TEAMS_APP.externalId}` }],
      });
      await sim().teams.settled();
      const status = await call(sim(), 'GET', '/_simulator/teams');
      assert.equal(status.body.botEndpoint, bot.url);
      assert.deepEqual(status.body.deliveries.map((d: { type: string; userId: string; status: number }) => [d.type, d.userId, d.status]), [
        ['conversationUpdate', USERS.patti, 200],
      ]);
    });

    it('posts nothing for a refused install, so the bot hears of each user once', async () => {
      bot = await startFakeBot();
      await configure(bot.url);

      await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      const conflict = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      await bot.activity(0);
      await sim().teams.settled();

      assert.equal(conflict.status, 409);
      assert.equal(bot.activities.length, 1);
    });

    it('posts nothing before the admin API names a bot endpoint, nor after DELETE', async () => {
      bot = await startFakeBot();

      await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      await configure(bot.url);
      const removed = await call(sim(), 'DELETE', '/_simulator/teams');
      await upstream(sim(), 'POST', `/v1.0/users/${USERS.megan}/teamwork/installedApps`, { body: BIND });
      await sim().teams.settled();
      const status = await call(sim(), 'GET', '/_simulator/teams');

      assert.equal(removed.status, 204);
      assert.deepEqual(bot.activities, []);
      assert.deepEqual(status.body, { botEndpoint: null, serviceUrl: null, deliveries: [] });
    });

    it('logs and records a bot endpoint that cannot be reached, and keeps answering Graph', async () => {
      const gone = await startFakeBot();
      const unreachable = gone.url;
      await gone.close();
      await configure(unreachable);

      const created = await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      await sim().teams.settled();
      const status = await call(sim(), 'GET', '/_simulator/teams');
      const listed = await upstream(sim(), 'GET', installedApps(USERS.alex, TEAMS_APP.externalId));

      assert.equal(created.status, 201);
      assert.equal(listed.body.value.length, 1);
      assert.equal(status.body.deliveries.length, 1);
      assert.ok(status.body.deliveries[0].error, JSON.stringify(status.body.deliveries));
      assert.equal(status.body.deliveries[0].status, undefined);
      assert.ok(warnings.some((w) => /could not deliver/.test(w.message) && w.fields?.userId === USERS.alex), JSON.stringify(warnings));
    });

    it('logs and records the status of a bot that refuses the activity, without retrying', async () => {
      bot = await startFakeBot(500);
      await configure(bot.url);

      await upstream(sim(), 'POST', `/v1.0/users/${USERS.alex}/teamwork/installedApps`, { body: BIND });
      await bot.activity(0);
      await sim().teams.settled();
      const status = await call(sim(), 'GET', '/_simulator/teams');

      assert.equal(bot.activities.length, 1);
      assert.equal(status.body.deliveries[0].status, 500);
      assert.ok(warnings.some((w) => /refused/.test(w.message) && w.fields?.status === 500), JSON.stringify(warnings));
    });

    it('rejects a configuration without two http URLs', async () => {
      const cases: unknown[] = [
        { botEndpoint: 'ftp://127.0.0.1/api/messages', serviceUrl: SERVICE_URL },
        { botEndpoint: 'not a url', serviceUrl: SERVICE_URL },
        { botEndpoint: 'http://127.0.0.1:3978/api/messages' },
        { botEndpoint: 'http://127.0.0.1:3978/api/messages', serviceUrl: SERVICE_URL, extra: true },
      ];
      for (const body of cases) {
        const res = await call(sim(), 'PUT', '/_simulator/teams', { body });
        assert.equal(res.status, 400, JSON.stringify(body));
      }

      assert.equal((await call(sim(), 'GET', '/_simulator/teams')).body.botEndpoint, null);
    });
  });
});
