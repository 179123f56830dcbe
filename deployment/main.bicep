// SecOps Teams bot: the whole deployment in one command (see docs/deploy.md).
//   az deployment sub create --location <region> --template-file deployment/main.bicep \
//     --parameters deployment/main.parameters.json --parameters alertWebhookSecret=<secret>
// Creates the resource group and everything in it, the least-privilege custom roles, and assigns
// them to the bot's managed identity in every watched subscription.
targetScope = 'subscription'

@description('Azure region for the resource group and its resources.')
param location string = deployment().location

@description('Name of the resource group to create (or reuse) for the bot.')
param resourceGroupName string = 'rg-secops-bot'

@description('Short prefix for resource names: 2-12 lowercase letters or digits.')
@minLength(2)
@maxLength(12)
param namePrefix string = 'secopsbot'

@description('Tags put on the resource group and every resource.')
param tags object = {
  workload: 'secops-bot'
}

@description('App Service plan SKU (Linux). Basic or higher, for Always On. Basic scales to 3 instances, Standard to 10, Premium v3 to 30.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Number of bot instances (the App Service plan\'s capacity). 1 keeps the state in SQLite on /home; more than 1 creates a state storage account and sets STATE_STORE=azure with its endpoints (docs/scale-out.md). At most 3 on Basic, 10 on Standard.')
@minValue(1)
@maxValue(30)
param instanceCount int = 1

@description('Container image built from deployment/Dockerfile (for example myregistry.azurecr.io/secops-bot:1.0.0). Empty: the Node 20 runtime runs a zip-deployed build. A registry image needs AcrPull for the managed identity.')
param containerImage string = ''

@description('Display name of the Azure Bot resource.')
param botDisplayName string = 'SecOps bot'

@description('Azure Bot pricing tier. Teams is a standard channel, free on F0.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Subscriptions the bot watches (AZURE_SUBSCRIPTION_IDS). The bot\'s identity gets its roles in each; the deploying principal needs Owner or User Access Administrator there.')
param watchedSubscriptionIds array = [
  subscription().subscriptionId
]

@description('Entra tenant ids whose users may talk to the bot (ALLOWED_TENANT_IDS).')
param allowedTenantIds array = [
  tenant().tenantId
]

@description('Entra user object ids with the reader role (ROLE_READERS); ["*"] lets every user of the allowed tenants read.')
param roleReaders array = []

@description('Entra user object ids with the operator role (ROLE_OPERATORS): JIT requests and packet captures.')
param roleOperators array = []

@description('Entra user object ids with the approver role (ROLE_APPROVERS): approve JIT requests, read the audit log.')
param roleApprovers array = []

@description('Grant the JIT requester role in the watched subscriptions. False keeps the bot read-only for JIT.')
param enableJit bool = true

@description('Grant the packet-capture roles (subscriptions and the capture storage account). False keeps the bot from starting captures.')
param enablePacketCapture bool = true

@description('Grant the remediator role in the watched subscriptions, so approved fixes (fix, undo) can change JIT policies, NSG rules, NICs, flow logs and alert states. Off by default: the bot stays read-only for fixes.')
param enableRemediation bool = false

@description('JIT_REQUIRE_APPROVAL: a second person approves each JIT request.')
param jitRequireApproval bool = true

@description('JIT_MAX_DURATION: upper bound on any JIT grant, ISO 8601 (the policy\'s own maximum still applies).')
param jitMaxDuration string = 'PT3H'

@description('CAPTURE_MAX_SECONDS: upper bound on one packet capture, in seconds.')
@minValue(1)
@maxValue(18000)
param captureMaxSeconds int = 300

@description('CAPTURE_ON_ALERT: alert rule names or alert types that start a capture on the alert\'s VM; ["*"] for any alert on a VM; empty for never.')
param captureOnAlert array = []

@description('Days a packet capture file is kept before lifecycle management deletes it.')
@minValue(1)
param captureRetentionDays int = 30

@description('Redundancy of the capture storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param storageSku string = 'Standard_LRS'

@description('Shared secret for POST /api/alerts (32+ random characters, e.g. openssl rand -hex 32). Stored in Key Vault, never in app settings or files. Empty leaves the vault as it is.')
@secure()
param alertWebhookSecret string = ''

@description('Set true when Key Vault already holds the webhook secret (every redeploy after the first, or after a rotation), so the app keeps referencing it while alertWebhookSecret is empty.')
param alertWebhookSecretInVault bool = false

@description('DIGEST_DEFAULT_TIME: daily digest time (HH:MM, 24-hour) when a channel gives none.')
param digestDefaultTime string = '08:00'

@description('DIGEST_DEFAULT_TZ: IANA time zone of the default digest time.')
param digestDefaultTimeZone string = 'UTC'

@description('LOG_LEVEL: pino log level.')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
])
param logLevel string = 'info'

@description('Days Log Analytics keeps the bot\'s logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Appended to the custom role names; needed only for a second bot instance in the same Entra tenant (for example "staging").')
param roleNameSuffix string = ''

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module roleDefinitions 'modules/role-definitions.bicep' = {
  name: 'secops-bot-role-definitions'
  params: {
    watchedSubscriptionIds: watchedSubscriptionIds
    botResourceGroupId: rg.id
    roleNameSuffix: roleNameSuffix
  }
}

module app 'modules/app.bicep' = {
  name: 'secops-bot-app'
  scope: rg
  params: {
    location: location
    namePrefix: namePrefix
    tags: tags
    appServicePlanSku: appServicePlanSku
    instanceCount: instanceCount
    containerImage: containerImage
    botDisplayName: botDisplayName
    botSku: botSku
    watchedSubscriptionIds: watchedSubscriptionIds
    allowedTenantIds: allowedTenantIds
    roleReaders: roleReaders
    roleOperators: roleOperators
    roleApprovers: roleApprovers
    jitRequireApproval: jitRequireApproval
    jitMaxDuration: jitMaxDuration
    captureMaxSeconds: captureMaxSeconds
    captureOnAlert: captureOnAlert
    captureStorageRoleId: enablePacketCapture ? roleDefinitions.outputs.captureStorageWriterRoleId : ''
    captureRetentionDays: captureRetentionDays
    storageSku: storageSku
    alertWebhookSecret: alertWebhookSecret
    alertWebhookSecretInVault: alertWebhookSecretInVault
    digestDefaultTime: digestDefaultTime
    digestDefaultTimeZone: digestDefaultTimeZone
    logLevel: logLevel
    logRetentionDays: logRetentionDays
  }
}

// One deployment per watched subscription (deployment/modules/role-assignments.bicep).
module roleAssignments 'modules/role-assignments.bicep' = [for subscriptionId in watchedSubscriptionIds: {
  name: 'secops-bot-roles-${uniqueString(subscriptionId, resourceGroupName)}'
  scope: subscription(subscriptionId)
  params: {
    principalId: app.outputs.managedIdentityPrincipalId
    postureReaderRoleId: roleDefinitions.outputs.postureReaderRoleId
    jitRequesterRoleId: enableJit ? roleDefinitions.outputs.jitRequesterRoleId : ''
    packetCaptureOperatorRoleId: enablePacketCapture ? roleDefinitions.outputs.packetCaptureOperatorRoleId : ''
    remediatorRoleId: enableRemediation ? roleDefinitions.outputs.remediatorRoleId : ''
  }
}]

@description('Resource group that holds the bot.')
output resourceGroupName string = rg.name

@description('The bot\'s Microsoft App ID (the managed identity\'s client id): BOT_ID for npm run package:teams.')
output botAppId string = app.outputs.managedIdentityClientId

@description('Host name of the bot\'s endpoint: BOT_DOMAIN for npm run package:teams.')
output botDomain string = app.outputs.webAppHostName

@description('Messaging endpoint registered on the Azure Bot.')
output messagingEndpoint string = 'https://${app.outputs.webAppHostName}/api/messages'

@description('Name of the App Service app, for az webapp deploy / restart.')
output webAppName string = app.outputs.webAppName

@description('Name of the Azure Bot resource.')
output botName string = app.outputs.botName

@description('Object (principal) id of the bot\'s managed identity: the identity to grant roles to in a subscription added later.')
output managedIdentityPrincipalId string = app.outputs.managedIdentityPrincipalId

@description('Resource id of the bot\'s managed identity.')
output managedIdentityResourceId string = app.outputs.managedIdentityResourceId

@description('Resource id of the capture storage account (CAPTURE_STORAGE_ACCOUNT_ID).')
output captureStorageAccountId string = app.outputs.storageAccountId

@description('Resource id of the shared state storage account (STATE_STORE=azure); empty with one instance.')
output stateStorageAccountId string = app.outputs.stateStorageAccountId

@description('Key Vault holding the alert webhook secret.')
output keyVaultName string = app.outputs.keyVaultName

@description('Key Vault secret name of ALERT_WEBHOOK_SECRET.')
output alertWebhookSecretName string = app.outputs.webhookSecretName

@description('Alert webhook URL without its key; append the secret from Key Vault as ?key=<secret>.')
output alertWebhookUrl string = 'https://${app.outputs.webAppHostName}/api/alerts'

@description('Application Insights component receiving the bot\'s telemetry.')
output applicationInsightsName string = app.outputs.applicationInsightsName

@description('Log Analytics workspace with the App Service console (pino) and HTTP logs.')
output logAnalyticsWorkspaceId string = app.outputs.logAnalyticsWorkspaceId

@description('Names (GUIDs) of the custom role definitions created from deployment/roles/*.json.')
output customRoleDefinitionIds object = {
  postureReader: roleDefinitions.outputs.postureReaderRoleId
  jitRequester: roleDefinitions.outputs.jitRequesterRoleId
  packetCaptureOperator: roleDefinitions.outputs.packetCaptureOperatorRoleId
  captureStorageWriter: roleDefinitions.outputs.captureStorageWriterRoleId
  remediator: roleDefinitions.outputs.remediatorRoleId
}
