// The Azure Bot resource that registers Lockbox Bot with the Bot Framework and connects it to
// Microsoft Teams. Its identity is a user-assigned managed identity: no app password exists.

@maxLength(20)
@minLength(4)
@description('Used to generate the names of the resources in this file.')
param resourceBaseName string

@maxLength(42)
@description('Display name of the bot.')
param botDisplayName string

param botServiceName string = resourceBaseName

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier: the Teams channel is a standard channel, free on both.')
param botServiceSku string = 'F0'

@description('Client id of the managed identity the bot authenticates as (BOT_ID).')
param identityClientId string

@description('Resource id of that managed identity.')
param identityResourceId string

@description('Tenant of that managed identity (BOT_TENANT_ID).')
param identityTenantId string

@description('Host name of the Web App that serves /api/messages.')
param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botServiceName
  kind: 'azurebot'
  location: 'global'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: identityClientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identityResourceId
    msaAppTenantId: identityTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}
