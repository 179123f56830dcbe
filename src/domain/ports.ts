/**
 * Interfaces the domain declares and lower layers implement (dependency inversion):
 * src/azure implements AzureGateway, src/store implements Store, src/bot implements Notifier.
 */
import type {
  Assessment,
  CaptureRequest,
  CaptureStatus,
  FlowLog,
  Gathered,
  JitGrant,
  JitInitiation,
  JitPolicy,
  NetworkInterface,
  NetworkSecurityGroup,
  NetworkWatcher,
  PacketCapture,
  PublicIpAddress,
  ScoreControl,
  SecureScore,
  SecurityAlert,
  SubAssessment,
  VirtualMachine,
} from "./model";

/** Reads and the few writes the bot makes against Azure, across every watched subscription. */
export interface AzureGateway {
  /** Watched subscription ids. */
  readonly subscriptionIds: readonly string[];
  /** Display names of the watched subscriptions by id (the id itself where the name cannot be read). */
  subscriptionNames(): Promise<Record<string, string>>;
  secureScores(): Promise<Gathered<SecureScore>>;
  scoreControls(): Promise<Gathered<ScoreControl>>;
  assessments(): Promise<Gathered<Assessment>>;
  subAssessments(): Promise<Gathered<SubAssessment>>;
  alerts(): Promise<Gathered<SecurityAlert>>;
  virtualMachines(): Promise<Gathered<VirtualMachine>>;
  networkInterfaces(): Promise<Gathered<NetworkInterface>>;
  publicIpAddresses(): Promise<Gathered<PublicIpAddress>>;
  networkSecurityGroups(): Promise<Gathered<NetworkSecurityGroup>>;
  networkWatchers(): Promise<Gathered<NetworkWatcher>>;
  flowLogs(): Promise<Gathered<FlowLog>>;
  jitPolicies(): Promise<Gathered<JitPolicy>>;
  /** Opens JIT access; returns the grants Azure reports for this request. */
  initiateJit(request: JitInitiation): Promise<JitGrant[]>;
  /** Starts a capture; resolves once Azure has accepted and provisioned it. */
  createCapture(request: CaptureRequest): Promise<PacketCapture>;
  captureStatus(captureId: string): Promise<CaptureStatus>;
  stopCapture(captureId: string): Promise<void>;
  listCaptures(): Promise<Gathered<PacketCapture>>;
  /** Installed extension types of one VM (e.g. "NetworkWatcherAgentLinux"), read on demand. */
  vmExtensionTypes(vmId: string): Promise<string[]>;
  /** Forget cached reads (after a write, or on demand). */
  invalidate(): void;
}

/** A card ready to send: Adaptive Card JSON plus a text fallback. */
export interface RenderedCard {
  /** The Adaptive Card JSON object. */
  card: Record<string, unknown>;
  /** Plain-text summary for notifications and clients that cannot render cards. */
  summary: string;
}

/** Posts proactive messages into conversations the bot knows (digests, alert posts, expiry notices). */
export interface Notifier {
  /** Posts a card; returns the id of the posted activity. Throws AppError("NotFound") when the conversation is gone. */
  post(conversationId: string, card: RenderedCard): Promise<string | undefined>;
  /** Replaces a card posted before. */
  update(conversationId: string, activityId: string, card: RenderedCard): Promise<void>;
}

/** A clock that tests can move. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
