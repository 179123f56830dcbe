// Everything that lives in the bot's resource group: the managed identity the bot runs as (towards
// Azure Resource Manager and, as UserAssignedMSI, towards the Bot Framework), App Service on Linux,
// the Azure Bot with its Teams channel, the capture storage account, Key Vault for the alert webhook
// secret, Application Insights on a Log Analytics workspace and, with more than one instance, the state
// storage account the instances share (STATE_STORE=azure).
targetScope = 'resourceGroup'

@description('Azure region of the resources (the Azure Bot itself is global).')
param location string

@description('Short prefix for resource names: 2-12 lowercase letters or digits.')
@minLength(2)
@maxLength(12)
param namePrefix string

@description('Tags put on every resource.')
param tags object

@description('App Service plan SKU. Always On needs Basic or higher; Basic scales to 3 instances, Standard to 10.')
param appServicePlanSku string

@description('Number of instances (the plan\'s capacity). 1: SQLite under STATE_DIR on /home. More: STATE_STORE=azure on the state storage account, which only this identity may use.')
@minValue(1)
@maxValue(30)
param instanceCount int

@description('Container image to run (for example myregistry.azurecr.io/secops-bot:1.0.0); empty runs the Node 20 runtime with a zip-deployed build.')
param containerImage string

@description('Name shown for the bot in the Azure portal.')
param botDisplayName string

@description('Azure Bot pricing tier. Teams is a standard channel, free on F0.')
param botSku string

@description('Subscriptions the bot watches (AZURE_SUBSCRIPTION_IDS).')
param watchedSubscriptionIds array

@description('Entra tenant ids whose users may talk to the bot (ALLOWED_TENANT_IDS).')
param allowedTenantIds array

@description('Entra object ids with the reader role (ROLE_READERS); ["*"] for everyone in the allowed tenants.')
param roleReaders array

@description('Entra object ids with the operator role (ROLE_OPERATORS).')
param roleOperators array

@description('Entra object ids with the approver role (ROLE_APPROVERS).')
param roleApprovers array

@description('JIT_REQUIRE_APPROVAL: a second person approves each JIT request.')
param jitRequireApproval bool

@description('JIT_MAX_DURATION: upper bound on any JIT grant, ISO 8601.')
param jitMaxDuration string

@description('CAPTURE_MAX_SECONDS: upper bound on one packet capture.')
param captureMaxSeconds int

@description('CAPTURE_ON_ALERT: alert names or types that start a capture on the alert\'s VM.')
param captureOnAlert array

@description('Name (GUID) of the capture storage writer role definition; empty when packet capture is not enabled.')
param captureStorageRoleId string

@description('Days a packet capture file is kept in the storage account before lifecycle management deletes it.')
param captureRetentionDays int

@description('Storage account redundancy for capture files.')
param storageSku string

@description('Shared secret for POST /api/alerts, written to Key Vault; empty leaves the vault as it is.')
@secure()
param alertWebhookSecret string

@description('True when Key Vault already holds the webhook secret (redeploys, or after rotating it), so the app setting references it even though alertWebhookSecret is empty.')
param alertWebhookSecretInVault bool

@description('DIGEST_DEFAULT_TIME: digest time (HH:MM) when a channel gives none.')
param digestDefaultTime string

@description('DIGEST_DEFAULT_TZ: IANA time zone of the default digest time.')
param digestDefaultTimeZone string

@description('LOG_LEVEL: pino log level.')
param logLevel string

@description('Days Log Analytics keeps the logs.')
param logRetentionDays int

var suffix = uniqueString(resourceGroup().id)
var compactPrefix = toLower(replace(namePrefix, '-', ''))
var useContainer = !empty(containerImage)
var webhookSecretName = 'alert-webhook-secret'
// Built-in "Key Vault Secrets User": read secret values, nothing else.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
// App Service keeps /home on persistent storage; the SQLite store lives there (one instance only).
var stateDir = '/home/data/secops-bot'
// Several instances cannot share SQLite files: they share Table Storage (state) and a blob lease (scheduler).
var sharedState = instanceCount > 1
// Built-in data roles, granted on the state storage account only (never the subscription or resource group).
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id-${suffix}'
  location: location
  tags: tags
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-ai-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('st${compactPrefix}${suffix}', 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: storageSku }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    // Network Watcher hands the VM agent a SAS signed with an account key to upload the .cap file;
    // packet capture supports no other way to write to a storage account, so shared keys stay enabled.
    allowSharedKeyAccess: true
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    accessTier: 'Hot'
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: { enabled: true, keyType: 'Account' }
        file: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
        queue: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource captureLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-packet-captures'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['network-watcher-logs/']
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: captureRetentionDays }
              }
            }
          }
        }
      ]
    }
  }
}

resource captureStorageGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(captureStorageRoleId)) {
  name: guid(storage.id, identity.id, 'capture-storage-writer')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', captureStorageRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'SecOps Teams bot: Network Watcher obtains a SAS for capture uploads with these rights'
  }
}

// The shared state (STATE_STORE=azure): its own account, apart from the capture account, because packet
// capture needs shared keys there. Here keys are off: only Entra ID, and only the bot's identity has data roles.
resource stateStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = if (sharedState) {
  name: take('sd${compactPrefix}${suffix}', 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: storageSku }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource stateTableGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (sharedState) {
  name: guid(stateStorage.id, identity.id, storageTableDataContributorRoleId)
  scope: stateStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'SecOps Teams bot: shared state in Table Storage (STATE_STORE=azure)'
  }
}

resource stateBlobGrant 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (sharedState) {
  name: guid(stateStorage.id, identity.id, storageBlobDataContributorRoleId)
  scope: stateStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'SecOps Teams bot: the scheduler lease blob (STATE_STORE=azure)'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv${compactPrefix}${suffix}', 24)
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(alertWebhookSecret)) {
  parent: vault
  name: webhookSecretName
  properties: {
    value: alertWebhookSecret
    contentType: 'ALERT_WEBHOOK_SECRET for POST /api/alerts'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'SecOps Teams bot: App Service resolves the ALERT_WEBHOOK_SECRET Key Vault reference'
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${namePrefix}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServicePlanSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

var webAppName = '${namePrefix}-${suffix}'
var coreSettings = [
  // Bot Framework identity: the managed identity itself (no app password anywhere).
  { name: 'MicrosoftAppId', value: identity.properties.clientId }
  { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
  { name: 'MicrosoftAppTenantId', value: tenant().tenantId }
  // Azure Resource Manager: the same identity through DefaultAzureCredential, narrowed to managed identity.
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'AZURE_TOKEN_CREDENTIALS', value: 'ManagedIdentityCredential' }
  { name: 'AZURE_SUBSCRIPTION_IDS', value: join(watchedSubscriptionIds, ',') }
  { name: 'ALLOWED_TENANT_IDS', value: join(allowedTenantIds, ',') }
  { name: 'ROLE_READERS', value: join(roleReaders, ',') }
  { name: 'ROLE_OPERATORS', value: join(roleOperators, ',') }
  { name: 'ROLE_APPROVERS', value: join(roleApprovers, ',') }
  { name: 'JIT_REQUIRE_APPROVAL', value: jitRequireApproval ? 'true' : 'false' }
  { name: 'JIT_MAX_DURATION', value: jitMaxDuration }
  { name: 'CAPTURE_STORAGE_ACCOUNT_ID', value: storage.id }
  { name: 'CAPTURE_MAX_SECONDS', value: string(captureMaxSeconds) }
  { name: 'CAPTURE_ON_ALERT', value: join(captureOnAlert, ',') }
  { name: 'STATE_DIR', value: stateDir }
  { name: 'DIGEST_DEFAULT_TIME', value: digestDefaultTime }
  { name: 'DIGEST_DEFAULT_TZ', value: digestDefaultTimeZone }
  { name: 'LOG_LEVEL', value: logLevel }
  { name: 'NODE_ENV', value: 'production' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  // Keep /home (STATE_DIR) mounted for a custom container too.
  { name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE', value: 'true' }
]

// STATE_STORE: sqlite (the default, one instance) or azure on the state storage account (several instances).
var stateSettings = sharedState ? [
  { name: 'STATE_STORE', value: 'azure' }
  { name: 'AZURE_STORAGE_TABLE_ENDPOINT', value: stateStorage.properties.primaryEndpoints.table }
  { name: 'AZURE_STORAGE_BLOB_ENDPOINT', value: stateStorage.properties.primaryEndpoints.blob }
] : [
  { name: 'STATE_STORE', value: 'sqlite' }
]

// Only when the vault holds the secret: an unresolvable reference would reach the app as its literal text.
var webhookInVault = !empty(alertWebhookSecret) || alertWebhookSecretInVault
var webhookSettings = webhookInVault ? [
  { name: 'ALERT_WEBHOOK_SECRET', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${webhookSecretName})' }
] : []

// The zip is built before deployment (better-sqlite3 compiled for Linux x64, Node 20): no rebuild on App Service.
var codeSettings = [
  { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
  { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }
]
var containerSettings = [
  { name: 'WEBSITES_PORT', value: '3978' }
]
var hostSettings = useContainer ? containerSettings : codeSettings

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: useContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      linuxFxVersion: useContainer ? 'DOCKER|${containerImage}' : 'NODE|20-lts'
      appCommandLine: useContainer ? '' : 'node dist/index.js'
      acrUseManagedIdentityCreds: useContainer
      acrUserManagedIdentityID: useContainer ? identity.properties.clientId : null
      alwaysOn: true
      numberOfWorkers: instanceCount
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      healthCheckPath: '/healthz'
      appSettings: concat(coreSettings, stateSettings, webhookSettings, hostSettings)
    }
  }
  dependsOn: [
    // Resolve the Key Vault reference only once the identity may read the secret, and start with
    // STATE_STORE=azure only once it may use the state storage account.
    vaultSecretsUser
    webhookSecret
    stateTableGrant
    stateBlobGrant
  ]
}

// Deployments use Entra ID (az webapp deploy, az acr), never FTP or basic-auth publishing credentials.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspace.id
    logs: [
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceHTTPLogs', enabled: true }
      { category: 'AppServicePlatformLogs', enabled: true }
    ]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspace.id
    logs: [{ category: 'AuditEvent', enabled: true }]
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${namePrefix}-bot-${suffix}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppTenantId: tenant().tenantId
    msaAppMSIResourceId: identity.id
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
    }
  }
}

@description('Object (principal) id of the managed identity; role assignments use it.')
output managedIdentityPrincipalId string = identity.properties.principalId

@description('Client id of the managed identity: the bot\'s Microsoft App ID and AZURE_CLIENT_ID.')
output managedIdentityClientId string = identity.properties.clientId

@description('Resource id of the managed identity.')
output managedIdentityResourceId string = identity.id

@description('Name of the App Service app.')
output webAppName string = site.name

@description('Default host name of the App Service app.')
output webAppHostName string = site.properties.defaultHostName

@description('Name of the Azure Bot resource.')
output botName string = bot.name

@description('Resource id of the capture storage account (CAPTURE_STORAGE_ACCOUNT_ID).')
output storageAccountId string = storage.id

@description('Resource id of the state storage account (STATE_STORE=azure); empty with one instance.')
output stateStorageAccountId string = sharedState ? stateStorage.id : ''

@description('Name of the Key Vault that holds the alert webhook secret.')
output keyVaultName string = vault.name

@description('Name of the Key Vault secret that holds ALERT_WEBHOOK_SECRET.')
output webhookSecretName string = webhookSecretName

@description('Name of the Application Insights component.')
output applicationInsightsName string = insights.name

@description('Resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceId string = workspace.id
