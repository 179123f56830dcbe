/** The Azure layer: the only place that imports @azure/*. Everything above sees domain types only. */
export { createAzureGateway, createCredential } from "./gateway";
export type { ArmGateway, AzureAccessOptions, AzureLogger, CredentialOptions } from "./gateway";
export { toAppError } from "./errors";
export { armScope, isLoopbackEndpoint } from "./clients";
