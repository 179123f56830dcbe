// The bot's least-privilege custom roles, created once per tenant. The permissions come from
// deployment/roles/*.json (the files test/deployment/roles.test.ts checks against the code), so the
// JSON stays the one source of truth; only AssignableScopes is filled in here.
targetScope = 'subscription'

@description('Subscriptions the bot watches. The posture, JIT and packet-capture roles become assignable in each of them.')
param watchedSubscriptionIds array

@description('Resource id of the bot\'s own resource group; the capture storage role is assignable only there.')
param botResourceGroupId string

@description('Appended to every role name. Custom role names are unique per Entra tenant, so a second bot instance in the same tenant needs its own suffix (for example "staging").')
param roleNameSuffix string = ''

// The subscription the definitions are created in is always listed too, watched or not, so each definition
// lives at one of its own assignable scopes.
var subscriptionScopes = union([subscription().id], map(watchedSubscriptionIds, id => '/subscriptions/${id}'))

var roles = [
  {
    key: 'postureReader'
    definition: loadJsonContent('../roles/posture-reader.json')
    scopes: subscriptionScopes
  }
  {
    key: 'jitRequester'
    definition: loadJsonContent('../roles/jit-requester.json')
    scopes: subscriptionScopes
  }
  {
    key: 'packetCaptureOperator'
    definition: loadJsonContent('../roles/packet-capture-operator.json')
    scopes: subscriptionScopes
  }
  {
    key: 'captureStorageWriter'
    definition: loadJsonContent('../roles/capture-storage-writer.json')
    scopes: [botResourceGroupId]
  }
  {
    key: 'remediator'
    definition: loadJsonContent('../roles/remediator.json')
    scopes: subscriptionScopes
  }
]

resource roleDefinitions 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [for role in roles: {
  // Deterministic per tenant and name: re-running the deployment updates the role instead of colliding with it.
  name: guid(tenant().tenantId, role.definition.Name, roleNameSuffix)
  properties: {
    roleName: empty(roleNameSuffix) ? role.definition.Name : '${role.definition.Name} (${roleNameSuffix})'
    description: role.definition.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: role.definition.Actions
        notActions: role.definition.NotActions
        dataActions: role.definition.DataActions
        notDataActions: role.definition.NotDataActions
      }
    ]
    assignableScopes: role.scopes
  }
}]

@description('Name (GUID) of the "SecOps Bot Posture Reader" role definition.')
output postureReaderRoleId string = roleDefinitions[0].name

@description('Name (GUID) of the "SecOps Bot JIT Requester" role definition.')
output jitRequesterRoleId string = roleDefinitions[1].name

@description('Name (GUID) of the "SecOps Bot Packet Capture Operator" role definition.')
output packetCaptureOperatorRoleId string = roleDefinitions[2].name

@description('Name (GUID) of the "SecOps Bot Capture Storage Writer" role definition.')
output captureStorageWriterRoleId string = roleDefinitions[3].name

@description('Name (GUID) of the "SecOps Bot Remediator" role definition (fixes approved in Teams).')
output remediatorRoleId string = roleDefinitions[4].name
