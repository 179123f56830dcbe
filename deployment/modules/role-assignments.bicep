// Grants the bot's managed identity its custom roles in ONE watched subscription. main.bicep deploys
// it once per subscription in watchedSubscriptionIds; it can also be deployed on its own:
//   az deployment sub create --subscription <id> --location <region> \
//     --template-file deployment/modules/role-assignments.bicep \
//     --parameters principalId=<managedIdentityPrincipalId> postureReaderRoleId=<guid> ...
// (the role definitions must already list that subscription in their assignable scopes).
targetScope = 'subscription'

@description('Object (principal) id of the bot\'s user-assigned managed identity.')
param principalId string

@description('Name (GUID) of the posture reader role definition. Always assigned: every command reads.')
param postureReaderRoleId string

@description('Name (GUID) of the JIT requester role definition; empty to leave JIT requests out in this subscription.')
param jitRequesterRoleId string = ''

@description('Name (GUID) of the packet-capture operator role definition; empty to leave packet captures out in this subscription.')
param packetCaptureOperatorRoleId string = ''

@description('Name (GUID) of the remediator role definition; empty to keep the bot from making fixes in this subscription.')
param remediatorRoleId string = ''

var roleIds = filter([postureReaderRoleId, jitRequesterRoleId, packetCaptureOperatorRoleId, remediatorRoleId], id => !empty(id))

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in roleIds: {
  name: guid(subscription().id, principalId, roleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    // A new managed identity may not have replicated yet; naming its type avoids a spurious "principal not found".
    principalType: 'ServicePrincipal'
    description: 'SecOps Teams bot (deployment/modules/role-assignments.bicep)'
  }
}]

@description('Resource ids of the role assignments made in this subscription.')
output roleAssignmentIds array = [for (roleId, i) in roleIds: assignments[i].id]
