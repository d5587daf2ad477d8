// Azure resources for Lockbox Bot, deployed by the `arm/deploy` step of m365agents.yml (or by
// `az deployment group create`, see the README). Outputs are written back to
// env/.env.<environment> under the same names.
//
// One user-assigned managed identity is both the bot's identity (Azure Bot with msaAppType
// UserAssignedMSI, so there is no bot password) and the identity the app uses for tokens
// (AZURE_CLIENT_ID): Table storage, Azure Resource Manager, Microsoft Graph and Exchange Online.
// The permissions it needs outside this resource group (lockbox roles on the watched subscriptions,
// Graph and Exchange application permissions) are granted by an administrator: see the README,
// "Deploy to your tenant".
//
// Every setting of the app is set here: a deployment replaces the Web App's whole list of app
// settings, so a setting added in the portal is lost at the next provision. To change one that is
// not a parameter, add it to appSettings below.

@maxLength(20)
@minLength(4)
@description('Used to generate the names of all resources: lower-case letters and digits (hyphens allowed).')
param resourceBaseName string

@description('App Service plan SKU (Linux). B1 or larger: Always On is not available on F1.')
param webAppSKU string = 'B1'

@maxLength(42)
@description('Display name of the Azure Bot resource.')
param botDisplayName string

@description('Microsoft Entra tenant whose Customer Lockbox requests the bot watches; empty means the tenant of this deployment.')
param tenantId string = ''

@description('Comma-separated Customer Lockbox sources to watch (LOCKBOX_SOURCES), e.g. "azure".')
param lockboxSources string = 'azure'

@description('Comma-separated Azure subscription ids to watch for Azure Customer Lockbox requests; empty means the subscription of this deployment.')
param azureSubscriptionIds string = ''

@description('Id of the Teams app (its manifest id, TEAMS_APP_ID), so the bot can install itself for approvers who never opened it; empty turns that off.')
param teamsAppId string = ''

@description('Object id of an Entra group whose members also get every request card (NOTIFY_GROUP_ID); empty for none.')
param notifyGroupId string = ''

@description('Object id of the Entra group of on-call staff told about every request (ONCALL_GROUP_ID); empty for none.')
param onCallGroupId string = ''

@secure()
@description('Integration key of a PagerDuty "Events API v2" integration (PAGERDUTY_ROUTING_KEY) to page the on-call rotation for every request; empty turns paging off. A secret: pass it at deployment, never in a committed file.')
param pagerDutyRoutingKey string = ''

@description('Dual control (REQUIRE_TWO_APPROVERS): an approval needs two different approvers.')
param requireTwoApprovers bool = false

@description('Node.js LTS version the Web App runs (its Linux runtime stack NODE|<version>-lts).')
param nodeVersion string = '22'

@description('Region of the regional resources; the Azure Bot itself is global.')
param location string = resourceGroup().location

var baseName = toLower(resourceBaseName)
var identityName = '${baseName}-identity'
var serverfarmName = '${baseName}-plan'
var webAppName = baseName
var workspaceName = '${baseName}-logs'
var appInsightsName = '${baseName}-insights'
// Storage account names: 3-24 lower-case letters and digits, unique across Azure.
var storageAccountName = take('${replace(baseName, '-', '')}${uniqueString(resourceGroup().id)}', 24)
var lockboxTableName = 'lockbox'
var effectiveTenantId = empty(tenantId) ? tenant().tenantId : tenantId
var effectiveSubscriptionIds = empty(azureSubscriptionIds) ? subscription().subscriptionId : azureSubscriptionIds
var effectiveSources = empty(lockboxSources) ? 'azure' : lockboxSources
// Built-in role "Storage Table Data Contributor".
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The app reaches the table with its managed identity only: no account keys, no SAS.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource lockboxTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: lockboxTableName
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, storageTableDataContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Compute for the Web App: a Linux plan. Running more than one instance is safe: the state is in
// the table, and the instances coordinate through leases written with compare-and-set.
resource serverfarm 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: serverfarmName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSKU
  }
  properties: {
    reserved: true
  }
}

// The Web App that runs the bot. `deploy` uploads the sources; the App Service build (Oryx) runs
// `npm install` and `npm run build` on Linux, so native modules fit the server whatever machine
// deployed; the app then starts with `node dist/src/index.js`.
resource webApp 'Microsoft.Web/sites@2024-04-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|${nodeVersion}-lts'
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
      appSettings: [
        {
          name: 'TENANT_ID'
          value: effectiveTenantId
        }
        {
          name: 'LOCKBOX_SOURCES'
          value: effectiveSources
        }
        {
          name: 'AZURE_SUBSCRIPTION_IDS'
          value: effectiveSubscriptionIds
        }
        {
          name: 'BOT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'BOT_TENANT_ID'
          value: identity.properties.tenantId
        }
        {
          name: 'BOT_TYPE'
          value: 'UserAssignedMsi'
        }
        // Tokens for ARM, Graph, Exchange Online and the table come from this managed identity only.
        {
          name: 'AZURE_CREDENTIAL'
          value: 'managed-identity'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        // Optional features; an empty value counts as unset.
        {
          name: 'TEAMS_APP_ID'
          value: teamsAppId
        }
        {
          name: 'NOTIFY_GROUP_ID'
          value: notifyGroupId
        }
        {
          name: 'ONCALL_GROUP_ID'
          value: onCallGroupId
        }
        {
          name: 'PAGERDUTY_ROUTING_KEY'
          value: pagerDutyRoutingKey
        }
        {
          name: 'REQUIRE_TWO_APPROVERS'
          value: requireTwoApprovers ? 'true' : 'false'
        }
        {
          name: 'SIMULATOR'
          value: 'off'
        }
        {
          name: 'PLAYGROUND'
          value: 'off'
        }
        // The state lives in Table storage, reached with the managed identity (no account key).
        {
          name: 'STATE_STORE'
          value: 'table'
        }
        {
          name: 'AZURE_TABLES_ENDPOINT'
          value: storage.properties.primaryEndpoints.table
        }
        // /home is the App Service's persistent storage on Linux (for anything written to DATA_DIR).
        {
          name: 'DATA_DIR'
          value: '/home/data'
        }
        {
          name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
          value: 'true'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'LOG_LEVEL'
          value: 'info'
        }
        // Build on the server at deployment (npm install, npm run build): the uploaded zip holds the
        // sources only (infra/webapp.ignore), and better-sqlite3's native module is built for Linux.
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
      ]
    }
  }
}

// FTP is off (ftpsState Disabled); refuse FTP basic authentication as well.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// Register the Web App as a bot with the Bot Framework, using the managed identity.
module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: baseName
    botDisplayName: botDisplayName
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
  }
}

// Written back to env/.env.<environment> by the toolkit.
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output AZURE_TABLES_ENDPOINT string = storage.properties.primaryEndpoints.table
