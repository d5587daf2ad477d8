import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { settingsReadByConfig } from '../support/config-settings';
import { malformedPlaceholders, placeholderNames, readEnvFile } from '../../src/tools/app-manifest';

/**
 * Checks of the Azure infrastructure (infra/) and the Microsoft 365 Agents Toolkit files
 * (m365agents*.yml, env/): that every setting the bot reads in production is set by the Bicep's app
 * settings (or is on the commented list below), that those settings make a valid configuration,
 * and that the template, its parameters and the env files agree: the things the toolkit only finds
 * out about in the middle of a provision, or the bot at its first start in Azure.
 */

const root = path.resolve(__dirname, '../..');
const readText = (file: string): string => readFileSync(path.join(root, file), 'utf8');

const configSource = readText('src/config.ts');
const bicep = readText('infra/azure.bicep');
const botBicep = readText('infra/botRegistration/azurebot.bicep');
const parametersText = readText('infra/azure.parameters.json');
const parameters = (JSON.parse(parametersText) as { parameters: Record<string, { value: unknown }> }).parameters;
const devEnv = readEnvFile(path.join(root, 'env/.env.dev'));
const localEnv = readEnvFile(path.join(root, 'env/.env.local'));
const localUserSample = readEnvFile(path.join(root, 'env/.env.local.user.sample'));

/**
 * Settings the bot reads that infra/azure.bicep deliberately leaves out: set by App Service itself,
 * only meaningful on a developer's machine, or right at their default in Azure. An administrator who
 * wants another value adds the setting to the Bicep's appSettings (a deployment replaces them all,
 * so a value set in the portal is lost at the next provision).
 */
const NOT_SET_BY_BICEP: Record<string, string> = {
  PORT: 'App Service sets it for the app (the port its front end forwards to)',
  HOST: 'defaults to 0.0.0.0 without a simulator',
  POLL_INTERVAL_SECONDS: 'defaults to 30 without a simulator',
  SIMULATOR_PORT: 'local only: the simulator is off in Azure (SIMULATOR=off)',
  PLAYGROUND_PORT: 'local only: the Playground is off in Azure (PLAYGROUND=off)',
  ARM_ENDPOINT: "defaults to Microsoft's public cloud; set by the admin for a sovereign cloud",
  GRAPH_ENDPOINT: "defaults to Microsoft's public cloud; set by the admin for a sovereign cloud",
  EXO_ENDPOINT: "defaults to Microsoft's public cloud; set by the admin for a sovereign cloud",
  BOT_PASSWORD: 'none: the bot is a user-assigned managed identity (BOT_TYPE=UserAssignedMsi)',
  BOT_OPENID_METADATA_URL: "defaults to the public Bot Framework's; sovereign clouds and tests",
  BOT_TOKEN_ISSUER: "defaults to the public Bot Framework's; sovereign clouds and tests",
  BOT_LOGIN_URL: "defaults to the public Bot Framework's; sovereign clouds and tests",
  AZURE_TABLES_CONNECTION_STRING: 'local only (Azurite): in Azure the table is reached by AZURE_TABLES_ENDPOINT and the managed identity',
  SUBMISSION_LEASE_SECONDS: 'defaults to 60',
  ROLE_CACHE_SECONDS: 'defaults to 30',
  LEADER_LEASE_SECONDS: 'defaults to 30',
  NOTIFICATIONS: 'defaults to on',
  REMINDER_PERCENTS: 'defaults to 50,80',
  REMINDER_M365_MINUTES_BEFORE_EXPIRY: 'defaults to 60',
  PAGERDUTY_EVENTS_URL: "defaults to PagerDuty's Events API v2 endpoint",
  M365_DECISIONS: 'defaults to teams; an admin sets admin-center for cards that only inform',
  REQUIRE_OPEN_SUPPORT_CASE: 'defaults to false; an admin sets true to allow approving only with an open support case',
};

/**
 * App settings the Bicep sets ahead of the code that reads them (announced settings being added to
 * src/config.ts in parallel); each leaves this list once src/config.ts reads it.
 */
const AHEAD_OF_CONFIG = new Set<string>([]);

/** App Service's own settings, which configure the platform rather than the bot. */
const PLATFORM_SETTING = /^(WEBSITE_|WEBSITES_|SCM_)/;

/** Settings that hold secrets: never in a committed env file, only in the .user sample. */
const SECRETS = ['BOT_PASSWORD', 'AZURE_TABLES_CONNECTION_STRING', 'PAGERDUTY_ROUTING_KEY'];

/** The setting names a run of loadConfig() asks for, whatever the path through it. */
function settingsAskedFor(env: Record<string, string>): string[] {
  const asked = new Set<string>();
  const spy = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') asked.add(key);
      return target[key as string];
    },
  });
  try {
    loadConfig(spy);
  } catch {
    // A configuration error still tells which settings were read on the way.
  }
  return [...asked];
}

/** The text between `open` (which ends with a bracket) and its matching closing bracket. */
function bracketed(text: string, open: string): string {
  const start = text.indexOf(open);
  assert.ok(start >= 0, `no "${open}" found`);
  const pairs: Record<string, string> = { '[': ']', '{': '}' };
  const opener = open.at(-1) ?? '';
  const closer = pairs[opener];
  assert.ok(closer, `"${open}" does not end with a bracket`);
  let depth = 0;
  for (let i = start + open.length - 1; i < text.length; i++) {
    if (text[i] === opener) depth++;
    else if (text[i] === closer && --depth === 0) return text.slice(start + open.length, i);
  }
  assert.fail(`"${open}" is never closed`);
}

/** The Web App's app settings in the Bicep: name and the Bicep expression of its value. */
function bicepAppSettings(): Map<string, string> {
  const block = bracketed(bicep, 'appSettings: [');
  const settings = new Map<string, string>();
  for (const m of block.matchAll(/\{\s*name:\s*'([^']+)'\s*value:\s*([^\n]+?)\s*\}/g)) {
    const name = m[1] ?? '';
    assert.ok(!settings.has(name), `app setting ${name} is set twice`);
    settings.set(name, m[2] ?? '');
  }
  assert.ok(settings.size > 0, 'no app settings found in infra/azure.bicep');
  return settings;
}

interface BicepParam {
  name: string;
  type: string;
  /** The default's Bicep expression, if the parameter has one. */
  defaultValue?: string;
}

function bicepParams(text: string): BicepParam[] {
  return [...text.matchAll(/^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+?))?\s*$/gm)].map((m) => ({ name: m[1] ?? '', type: m[2] ?? '', defaultValue: m[3] }));
}

/** A Bicep string literal's value (no interpolation), or undefined when the expression is something else. */
function literal(expression: string): string | undefined {
  const m = /^'((?:[^'\\$]|\\.)*)'$/.exec(expression.trim());
  return m ? (m[1] ?? '').replace(/\\(.)/g, '$1') : undefined;
}

/** Values an expression of the Bicep stands for in a deployment, to feed loadConfig with. */
const SAMPLES: Record<string, string[]> = {
  'identity.properties.clientId': ['5d0c3b1a-9e8f-4a7b-8c6d-1e2f3a4b5c6d'],
  'identity.properties.tenantId': ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
  effectiveTenantId: ['72f988bf-86f1-41af-91ab-2d7cd011db47'],
  effectiveSubscriptionIds: ['0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9,1c2d3e4f-5061-4728-93a4-b5c6d7e8f90a'],
  effectiveSources: ['azure', 'azure,m365'],
  'storage.properties.primaryEndpoints.table': ['https://lockboxa1b2c3d4e5f6.table.core.windows.net/'],
  'appInsights.properties.ConnectionString': ['InstrumentationKey=3b4c5d6e-7f80-4912-a3b4-c5d6e7f8091a;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=4c5d6e7f-8091-4a2b-b4c5-d6e7f8091a2b'],
  teamsAppId: ['', '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'],
  notifyGroupId: ['', '7a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9'],
  onCallGroupId: ['', '8b3c4d5e-6f70-4182-93a4-b5c6d7e8f90a'],
  pagerDutyRoutingKey: ['', 'R0UTINGKEY0123456789abcdefABCDEF'],
};

/** Every value an app setting's expression can take: a literal, both sides of `cond ? 'a' : 'b'`, or a sample. */
function possibleValues(name: string, expression: string): string[] {
  const own = literal(expression);
  if (own !== undefined) return [own];
  const ternary = /^\w+\s*\?\s*('[^']*')\s*:\s*('[^']*')$/.exec(expression.trim());
  if (ternary) return [literal(ternary[1] ?? '') ?? '', literal(ternary[2] ?? '') ?? ''];
  const samples = SAMPLES[expression.trim()];
  assert.ok(samples, `no sample value for app setting ${name} = ${expression}: add one to SAMPLES`);
  return samples;
}

describe('Azure infrastructure (infra/)', () => {
  const readByConfig = settingsReadByConfig(configSource);
  const appSettings = bicepAppSettings();

  describe('the app settings of infra/azure.bicep against the settings src/config.ts reads', () => {
    it('finds the settings src/config.ts reads, including those read through helpers or straight from env', () => {
      for (const name of ['PORT', 'TENANT_ID', 'BOT_ID', 'BOT_PASSWORD', 'ARM_ENDPOINT', 'LOG_LEVEL']) assert.ok(readByConfig.includes(name), `${name} not found`);
      // Whatever path loadConfig takes (simulated, production, table store with a connection string),
      // every setting it asks for is one the parser above found.
      const scenarios: Record<string, string>[] = [
        {},
        Object.fromEntries([...appSettings].map(([name, expression]) => [name, possibleValues(name, expression)[0] ?? ''])),
        { TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', STATE_STORE: 'table', AZURE_TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true', SIMULATOR: 'http://127.0.0.1:3979' },
      ];
      const missed = new Set(scenarios.flatMap(settingsAskedFor).filter((name) => !readByConfig.includes(name)));
      assert.deepEqual([...missed], [], 'settings loadConfig reads that the parser of src/config.ts does not find');
    });

    it('sets every setting the bot reads in production, or the setting is on the commented list of those it leaves out', () => {
      const unset = readByConfig.filter((name) => !appSettings.has(name) && !(name in NOT_SET_BY_BICEP));
      assert.deepEqual(unset, [], 'settings neither set in appSettings of infra/azure.bicep nor listed in NOT_SET_BY_BICEP');
    });

    it('keeps the list of settings left out current: each is read by the bot and not set after all', () => {
      const stale = Object.keys(NOT_SET_BY_BICEP).filter((name) => !readByConfig.includes(name) || appSettings.has(name));
      assert.deepEqual(stale, []);
    });

    it('sets no app setting that the bot does not read (a typo would be silently ignored)', () => {
      const unknown = [...appSettings.keys()].filter((name) => !PLATFORM_SETTING.test(name) && !readByConfig.includes(name) && !AHEAD_OF_CONFIG.has(name));
      assert.deepEqual(unknown, []);
    });

    it('gives the bot a valid production configuration with every value the app settings can take', () => {
      const names = [...appSettings.keys()];
      const choices = names.map((name) => possibleValues(name, appSettings.get(name) ?? ''));
      const widest = Math.max(...choices.map((c) => c.length));
      for (let i = 0; i < widest; i++) {
        const env = Object.fromEntries(names.map((name, j) => [name, choices[j]![Math.min(i, choices[j]!.length - 1)]!]));
        const config = loadConfig(env);
        assert.equal(config.simulator.kind, 'off');
        assert.equal(config.playground.enabled, false);
        assert.equal(config.bot.type, 'UserAssignedMsi');
        assert.equal(config.bot.id, config.azureClientId, 'the bot and the Azure credential are the same managed identity');
        assert.equal(config.azureCredential, 'managed-identity');
        assert.equal(config.host, '0.0.0.0');
        assert.ok(config.store.kind === 'table' && 'endpoint' in config.store.connection, `the table store, reached through its endpoint: ${JSON.stringify(config.store)}`);
        assert.ok(config.appInsightsConnectionString);
      }
      assert.deepEqual(possibleValues('REQUIRE_TWO_APPROVERS', appSettings.get('REQUIRE_TWO_APPROVERS') ?? '').sort(), ['false', 'true']);
    });
  });

  describe('infra/azure.bicep', () => {
    it('runs a Linux Web App on a current Node LTS, HTTPS only, TLS 1.2, FTP off, health-checked on /healthz', () => {
      assert.match(bicep, /kind: 'app,linux'/);
      assert.match(bicep, /reserved: true/);
      const node = /^param nodeVersion string = '(\d+)'$/m.exec(bicep);
      assert.ok(node && Number(node[1]) >= 22 && Number(node[1]) % 2 === 0, 'Node.js 22 or a later LTS');
      assert.match(bicep, /linuxFxVersion: 'NODE\|\$\{nodeVersion\}-lts'/);
      assert.match(bicep, /httpsOnly: true/);
      assert.match(bicep, /minTlsVersion: '1\.2'/);
      assert.match(bicep, /scmMinTlsVersion: '1\.2'/);
      assert.match(bicep, /ftpsState: 'Disabled'/);
      assert.match(bicep, /healthCheckPath: '\/healthz'/);
      assert.match(bicep, /minimumTlsVersion: 'TLS1_2'/);
    });

    it('makes one user-assigned managed identity the bot, the Azure credential and the table\'s data contributor', () => {
      assert.match(bicep, /Microsoft\.ManagedIdentity\/userAssignedIdentities@/);
      assert.equal(appSettings.get('BOT_TYPE'), "'UserAssignedMsi'");
      assert.equal(appSettings.get('BOT_ID'), 'identity.properties.clientId');
      assert.equal(appSettings.get('AZURE_CLIENT_ID'), 'identity.properties.clientId');
      assert.equal(appSettings.get('BOT_TENANT_ID'), 'identity.properties.tenantId');
      // Built-in role "Storage Table Data Contributor", assigned on the storage account to the identity.
      assert.match(bicep, /storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'/);
      assert.match(bicep, /principalId: identity\.properties\.principalId/);
      assert.match(bicep, /allowSharedKeyAccess: false/);
      assert.match(botBicep, /msaAppType: 'UserAssignedMSI'/);
      assert.match(botBicep, /channelName: 'MsTeamsChannel'/);
      assert.match(botBicep, /endpoint: 'https:\/\/\$\{botAppDomain\}\/api\/messages'/);
    });

    it('sends telemetry to Application Insights on a Log Analytics workspace', () => {
      assert.match(bicep, /Microsoft\.OperationalInsights\/workspaces@/);
      assert.match(bicep, /WorkspaceResourceId: workspace\.id/);
      assert.equal(appSettings.get('APPLICATIONINSIGHTS_CONNECTION_STRING'), 'appInsights.properties.ConnectionString');
    });

    // Microsoft.Insights/components@2020-02-02 is that type's newest stable version.
    it('uses stable API versions from 2020 on', () => {
      const versions = [...`${bicep}\n${botBicep}`.matchAll(/^(?:resource|module)\s+\w+\s+'([\w./]+)@([\w-]+)'/gm)];
      assert.ok(versions.length >= 10);
      for (const [, type, version] of versions) {
        assert.match(version ?? '', /^\d{4}-\d{2}-\d{2}$/, `${type}@${version} is a preview API version`);
        assert.ok((version ?? '') >= '2020-01-01', `${type}@${version} is old`);
      }
    });

    it('takes every secret the app settings hold from a @secure() parameter, so no deployment record shows it', () => {
      const secretSettings = SECRETS.filter((name) => appSettings.has(name));
      assert.ok(secretSettings.includes('PAGERDUTY_ROUTING_KEY'));
      for (const name of secretSettings) {
        const param = appSettings.get(name) ?? '';
        assert.match(bicep, new RegExp(`@secure\\(\\)\\s*\\n(?:@description\\(.*\\)\\s*\\n)?param ${param} string`), `${name} comes from ${param}, which is not @secure()`);
      }
    });

    it('uses every parameter it declares', () => {
      for (const [text, file] of [[bicep, 'azure.bicep'], [botBicep, 'botRegistration/azurebot.bicep']] as const) {
        for (const { name } of bicepParams(text)) {
          const uses = text.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
          assert.ok(uses >= 2, `${file}: parameter ${name} is never used`);
        }
      }
    });

    it('passes the bot registration module every parameter it needs, and only parameters it declares', () => {
      const passed = [...bracketed(bicep, "module azureBotRegistration './botRegistration/azurebot.bicep' = {").matchAll(/^\s{4}(\w+):/gm)].map((m) => m[1] ?? '');
      const declared = bicepParams(botBicep);
      assert.deepEqual(declared.filter((p) => p.defaultValue === undefined && !passed.includes(p.name)).map((p) => p.name), []);
      assert.deepEqual(passed.filter((name) => !declared.some((p) => p.name === name)), []);
    });

    it('writes every output back to a variable of env/.env.dev', () => {
      const outputs = [...bicep.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1] ?? '');
      for (const name of ['BOT_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT', 'BOT_AZURE_APP_SERVICE_RESOURCE_ID', 'BOT_TENANT_ID', 'AZURE_TABLES_ENDPOINT']) {
        assert.ok(outputs.includes(name), `infra/azure.bicep has no output ${name}`);
      }
      assert.deepEqual(outputs.filter((name) => !devEnv.has(name)), []);
    });
  });

  describe('infra/azure.parameters.json', () => {
    const params = bicepParams(bicep);

    it('gives every parameter of infra/azure.bicep without a default a value', () => {
      const required = params.filter((p) => p.defaultValue === undefined).map((p) => p.name);
      assert.ok(required.length > 0);
      assert.deepEqual(required.filter((name) => !(name in parameters)), []);
    });

    it('names only parameters of infra/azure.bicep, each with a value of its type', () => {
      for (const [name, { value }] of Object.entries(parameters)) {
        const param = params.find((p) => p.name === name);
        assert.ok(param, `${name} is not a parameter of infra/azure.bicep`);
        const expected = { string: 'string', bool: 'boolean', int: 'number', object: 'object', array: 'object' }[param.type];
        assert.equal(typeof value, expected, `${name}: a ${param.type} parameter`);
      }
    });

    it('uses only ${{NAME}} placeholders that are variables of env/.env.dev', () => {
      assert.deepEqual(malformedPlaceholders(parametersText), []);
      assert.deepEqual(placeholderNames(parametersText).filter((name) => !devEnv.has(name)), []);
    });

    it('uses no placeholder whose variable may stay empty (the toolkit stops on one), except where provision fills it first', () => {
      // TEAMS_APP_ID is written by teamsApp/create, RESOURCE_SUFFIX is generated, APP_NAME_SUFFIX may be empty.
      const filledByProvision = new Set(['TEAMS_APP_ID', 'RESOURCE_SUFFIX', 'APP_NAME_SUFFIX']);
      const optional = placeholderNames(parametersText).filter((name) => !filledByProvision.has(name) && !devEnv.get(name));
      // The rest must be filled in before provision: the env file says so right above each.
      for (const name of optional) assert.match(readText('env/.env.dev'), new RegExp(`Fill them in before \`provision\`[\\s\\S]*\\n${name}=`), `${name} is empty in env/.env.dev without a word on filling it in`);
    });
  });
});

describe('Microsoft 365 Agents Toolkit files and environments (m365agents*.yml, env/)', () => {
  const readByConfig = settingsReadByConfig(configSource);

  it('uses in m365agents.yml only ${{NAME}} placeholders that are variables of env/.env.dev', () => {
    const text = readText('m365agents.yml');
    assert.deepEqual(malformedPlaceholders(text), []);
    assert.deepEqual(placeholderNames(text).filter((name) => !devEnv.has(name)), []);
  });

  it('uses in m365agents.local.yml only variables that env/.env.local sets to a value', () => {
    // The toolkit stops on a placeholder whose variable is empty (APP_NAME_SUFFIX excepted).
    const text = readText('m365agents.local.yml');
    assert.deepEqual(malformedPlaceholders(text), []);
    const unset = placeholderNames(text).filter((name) => name !== 'APP_NAME_SUFFIX' && !localEnv.get(name));
    assert.deepEqual(unset, []);
  });

  it('lists every setting the bot reads in env/.env.local, and the secret ones in the .user sample only', () => {
    assert.deepEqual(readByConfig.filter((name) => !SECRETS.includes(name) && !localEnv.has(name)), []);
    assert.deepEqual(SECRETS.filter((name) => !localUserSample.has(name)), []);
    for (const name of SECRETS) {
      assert.ok(!localEnv.has(name) && !devEnv.has(name), `${name} belongs in a git-ignored .user file`);
    }
    assert.equal(localEnv.get('TEAMSFX_ENV'), 'local');
    assert.equal(devEnv.get('TEAMSFX_ENV'), 'dev');
  });

  it('gives in env/.env.local only values the bot accepts', () => {
    const values = Object.fromEntries([...localEnv].filter(([name]) => readByConfig.includes(name)));
    assert.doesNotThrow(() => loadConfig(values));
  });

  it('deploys the sources for the App Service build, without what this machine built', () => {
    const ignore = readText('infra/webapp.ignore').split('\n').map((l) => l.trim());
    for (const pattern of ['/node_modules/', '/dist/', '/env/', '/test/', '/.data/']) assert.ok(ignore.includes(pattern), `infra/webapp.ignore lacks ${pattern}`);
    for (const kept of ['/src/', '/package.json', '/package-lock.json', '/tsconfig.json', '/tsconfig.build.json']) assert.ok(!ignore.includes(kept), `infra/webapp.ignore drops ${kept}`);
    assert.equal(bicepAppSettings().get('SCM_DO_BUILD_DURING_DEPLOYMENT'), "'true'");
    assert.match(readText('m365agents.yml'), /ignoreFile: \.\/infra\/webapp\.ignore/);
  });
});
