// Safe Premises on Azure: a single-tenant Azure Bot, App Service for Linux (Python 3.11)
// running `python -m bot`, a user-assigned managed identity, Key Vault for the bot's
// credential (its certificate, preferred, or its client secret), a Log Analytics workspace
// for the app's log lines, and Application Insights for an availability test of /readyz.
// Deployed into one resource group; see docs/deploy.md.
//
// One instance only: the embedded default keeps its records in one SQLite file in the
// data folder, which only one process may write. Do not scale the plan out.

targetScope = 'resourceGroup'

@description('A short lower-case prefix for every resource name, e.g. oakvalley-sp.')
@minLength(3)
@maxLength(16)
param baseName string

@description('Where the resources go (the Azure Bot itself is always global).')
param location string = resourceGroup().location

@description('The bot\'s Entra app registration: its Application (client) id.')
param botAppId string

@description('That app registration\'s client secret, stored in Key Vault only. Leave it empty when the bot uses its certificate (botCertificateName).')
@secure()
param botAppPassword string = ''

@description('A certificate in this deployment\'s Key Vault whose public part is uploaded to the app registration: the bot authenticates with it instead of a client secret. Empty: the client secret.')
param botCertificateName string = ''

@description('With botCertificateName: the object id, in this tenant, of the service principal "Microsoft Azure App Service" (application id abfa0a7c-a6b6-4736-8310-5855508787cd), which imports the certificate from Key Vault into the web app.')
param appServicePrincipalId string = ''

@description('App Service plan size: B1 or larger (Always On needs Basic or above).')
@allowed([
  'B1'
  'B2'
  'S1'
  'P0v3'
  'P1v3'
])
param planSku string = 'B1'

@description('Azure Bot pricing tier: F0 (free, standard channels such as Teams are free) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Where the app keeps its SQLite file and letter drafts: under /home, which App Service keeps across restarts and deployments.')
param dataFolder string = '/home/safe-premises'

var names = {
  identity: '${baseName}-id'
  vault: take(replace('${baseName}kv${uniqueString(resourceGroup().id)}', '-', ''), 24)
  workspace: '${baseName}-logs'
  insights: '${baseName}-insights'
  plan: '${baseName}-plan'
  site: '${baseName}-${uniqueString(resourceGroup().id)}'
  bot: '${baseName}-bot'
}
var tenantId = subscription().tenantId
var appPort = '8000'
// Built-in role "Key Vault Secrets User": read secret values, nothing else.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
// Built-in role "Key Vault Certificate User": read certificates, with their private keys.
var keyVaultCertificateUser = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
var useCertificate = !empty(botCertificateName)
// Neither (the first deployment, before the certificate exists): no credential, and the bot
// refuses to start, naming the settings, until the next deployment gives it one.
var useSecret = !useCertificate && !empty(botAppPassword)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: names.vault
  location: location
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (useSecret) {
  parent: vault
  name: 'MicrosoftAppPassword'
  properties: {
    value: botAppPassword
  }
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// App Service imports a Key Vault certificate as its own first-party identity, not the web
// app's managed identity, so that identity may read the vault's certificates.
resource certificateImporter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useCertificate) {
  scope: vault
  name: guid(vault.id, appServicePrincipalId, keyVaultCertificateUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCertificateUser)
    principalId: appServicePrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The bot's certificate, imported from Key Vault into the web app's plan. The web app loads
// it (WEBSITE_LOAD_CERTIFICATES) as /var/ssl/private/<thumbprint>.p12, PKCS#12 without a
// password, which MicrosoftAppCertificatePath names.
resource botCertificate 'Microsoft.Web/certificates@2023-12-01' = if (useCertificate) {
  name: '${baseName}-bot-certificate'
  location: location
  properties: {
    keyVaultId: vault.id
    keyVaultSecretName: botCertificateName
    serverFarmId: plan.id
  }
  dependsOn: [
    certificateImporter
  ]
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: names.workspace
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 90
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: names.plan
  location: location
  kind: 'linux'
  sku: {
    name: planSku
    capacity: 1
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: names.site
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      appCommandLine: 'python -m bot'
      alwaysOn: true
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      numberOfWorkers: 1
      appSettings: concat([
        {
          name: 'MicrosoftAppId'
          value: botAppId
        }
        {
          name: 'MicrosoftAppTenantId'
          value: tenantId
        }
        {
          name: 'MicrosoftAppType'
          value: 'SingleTenant'
        }
        {
          name: 'HOST'
          value: '0.0.0.0'
        }
        {
          name: 'PORT'
          value: appPort
        }
        {
          name: 'WEBSITES_PORT'
          value: appPort
        }
        {
          name: 'SAFE_PREMISES_DATA'
          value: dataFolder
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
      ], useCertificate ? [
        {
          name: 'WEBSITE_LOAD_CERTIFICATES'
          value: botCertificate.properties.thumbprint
        }
        {
          name: 'MicrosoftAppCertificatePath'
          value: '/var/ssl/private/${botCertificate.properties.thumbprint}.p12'
        }
      ] : useSecret ? [
        {
          name: 'MicrosoftAppPassword'
          value: '@Microsoft.KeyVault(SecretUri=${botSecret.properties.secretUri})'
        }
      ] : [])
    }
  }
  dependsOn: [
    secretReader
  ]
}

// The app's log lines (stdout and stderr) and the HTTP log, into the workspace.
resource siteLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: site
  name: 'logs-to-workspace'
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

// Application Insights asks /readyz every five minutes from three places.
resource readiness 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${baseName}-readyz'
  location: location
  kind: 'standard'
  tags: {
    'hidden-link:${insights.id}': 'Resource'
  }
  properties: {
    SyntheticMonitorId: '${baseName}-readyz'
    Name: '${baseName} /readyz'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      {
        Id: 'emea-gb-db3-azr'
      }
      {
        Id: 'emea-nl-ams-azr'
      }
      {
        Id: 'emea-fr-pra-edge'
      }
    ]
    Request: {
      RequestUrl: 'https://${site.properties.defaultHostName}/readyz'
      HttpVerb: 'GET'
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: names.bot
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: 'Safe Premises'
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

@description('The Azure Bot\'s messaging endpoint (already set on the bot).')
output messagingEndpoint string = bot.properties.endpoint

@description('The host name for BOT_DOMAIN when building the Teams app package.')
output botDomain string = site.properties.defaultHostName

@description('The bot\'s app id: MicrosoftAppId for the Teams app package.')
output botAppId string = botAppId

@description('The tenant the bot is registered in.')
output tenantId string = tenantId

@description('The web app to deploy the code to.')
output webAppName string = site.name

@description('The managed identity\'s client id (for the Graph permissions of a later release).')
output identityClientId string = identity.properties.clientId

@description('The managed identity\'s object id.')
output identityPrincipalId string = identity.properties.principalId

@description('The Key Vault holding the bot\'s certificate or client secret.')
output keyVaultName string = vault.name

@description('With a certificate: the thumbprint the web app loads (empty with a client secret).')
output botCertificateThumbprint string = useCertificate ? botCertificate.properties.thumbprint : 
