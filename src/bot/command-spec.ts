/**
 * What a command is (STYLE rule 4): one file per command in src/bot/commands exporting a `CommandSpec`.
 * The registry discovers them, checks the role, audits, and `help` is generated from them.
 */
import type { Config } from "../config";
import type { CardRenderer } from "../cards/render";
import type { AzureGateway, Clock, Notifier, RenderedCard } from "../domain/ports";
import type { AuditEntry, Store } from "../store/store";
import type { Logger } from "../logger";

/** reader < operator < approver: each role may do everything the roles before it may. */
export type Role = "reader" | "operator" | "approver";
export const ROLE_ORDER: readonly Role[] = ["reader", "operator", "approver"];

export function roleAtLeast(have: Role | undefined, need: Role): boolean {
  return have !== undefined && ROLE_ORDER.indexOf(have) >= ROLE_ORDER.indexOf(need);
}

/** The person behind a turn. */
export interface Actor {
  /** Entra object id when Teams gives one, else the channel's user id. */
  id: string;
  name: string;
  tenantId?: string;
  /** Highest role this person holds, or undefined for none. */
  role?: Role;
}

export interface ConversationInfo {
  id: string;
  kind: "personal" | "channel" | "groupChat";
  tenantId?: string;
}

/** Everything a handler may use; built once by the composition root. */
export interface Services {
  config: Config;
  azure: AzureGateway;
  store: Store;
  cards: CardRenderer;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** The specs, for help and suggestions. */
  commands(): readonly CommandSpec[];
  /** Runs work after the turn has answered (Teams gives a turn 15 s); failures are logged, never lost silently. */
  runInBackground(name: string, work: () => Promise<void>): void;
}

/** One parsed invocation of a command. */
export interface CommandInvocation {
  /** The command's name as matched (the spec's name, even when an alias was typed). */
  command: string;
  /** Tokens after the command words. */
  args: string[];
  /** The original text after the command words (for verbatim justifications). */
  argText: string;
  /** The whole text after the mention was removed. */
  text: string;
  actor: Actor;
  conversation: ConversationInfo;
  correlationId: string;
  log: Logger;
  /** Sends a card into the conversation; returns the activity id. */
  reply(card: RenderedCard): Promise<string | undefined>;
  /** Replaces a card sent earlier in this conversation (works after the turn, too). */
  update(activityId: string, card: RenderedCard): Promise<void>;
  /** Appends a line to the audit log with this turn's actor and conversation filled in. */
  audit(entry: Pick<AuditEntry, "action" | "result"> & Partial<AuditEntry>): Promise<void>;
  /** When a free-form question was mapped to this command, the text the person typed. */
  fromQuestion?: string;
}

/** A command. Export one as `spec` (or default) from a file in src/bot/commands. */
export interface CommandSpec {
  /** One or more words, e.g. "score" or "jit request"; the longest matching name wins. */
  name: string;
  aliases?: string[];
  /** Grammar shown in help, e.g. "alerts [high|medium|low] [last <N>h|<N>d]". */
  usage: string;
  /** One line for the help list. */
  summary: string;
  /** Longer help for `help <command>`. */
  description?: string;
  examples?: string[];
  /** Least role needed. */
  role: Role;
  /** True when the command changes anything in Azure or in the bot's state beyond the audit log. */
  sideEffects: boolean;
  /** Words that map a free-form question to this command (lower case; each match scores one). */
  keywords?: string[];
  /** Turns the words of a free-form question into this command's arguments (e.g. a VM name). */
  questionArgs?(words: string[]): string[];
  /** Hidden from the help list (still works). */
  hidden?: boolean;
  handler(invocation: CommandInvocation, services: Services): Promise<void>;
}

/** A card action (Action.Execute verb), routed like commands. Export as `action` from src/bot/actions/<verb>.ts. */
export interface CardActionSpec {
  verb: string;
  role: Role;
  sideEffects: boolean;
  /**
   * Returns the card that replaces the one clicked; or that card with the outcome for the audit line
   * (e.g. "refused" when the click changed nothing because it was not allowed or came twice).
   */
  handler(invocation: CardActionInvocation, services: Services): Promise<RenderedCard | CardActionResult>;
}

export interface CardActionResult {
  card: RenderedCard;
  /** Audit result of the click: "ok" (default), "refused", "conflict", … */
  result: string;
  /** What the click was about (request id, capture name), for the audit line. */
  target?: string;
}

export interface CardActionInvocation {
  verb: string;
  data: Record<string, unknown>;
  actor: Actor;
  conversation: ConversationInfo;
  correlationId: string;
  log: Logger;
  audit(entry: Pick<AuditEntry, "action" | "result"> & Partial<AuditEntry>): Promise<void>;
}
