/** Types for scripts/playground-lib.js (plain CommonJS), so the TypeScript e2e tests can import it. */

export interface StartPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Port to ask for (default 56150); the playground silently picks another when it is taken. */
  port?: number;
  /** Working folder of the playground process (default: the repository root). */
  cwd?: string;
  /** Mock Teams context file (default: the repository's .m365agentsplayground.yml); null = the built-in default. */
  configPath?: string | null;
  /** Playground log file (default: a file in a fresh temp dir, removed on stop). */
  logFile?: string;
  /** Channel id the playground plays (default msteams). */
  channelId?: string;
  /** How long to wait for GET /_debug/ping → pong (default 20000 ms). */
  timeoutMs?: number;
  /** Extra environment for the child process. */
  env?: Record<string, string>;
  /** Receives each line the playground prints. */
  onOutput?: (line: string) => void;
}

export interface RunningPlayground {
  /** Base URL on loopback, e.g. http://127.0.0.1:56150 (the chat page is at `${url}/`). */
  url: string;
  /** The port it really listens on (read from its "Listening on N" line). */
  port: number;
  pid: number | undefined;
  logFile: string;
  /** The last lines it printed. */
  output: string[];
  exited(): boolean;
  /** Calls `fn` once the process ends (for whatever reason). */
  onExit(fn: (reason: string) => void): void;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface MockUser {
  id: string;
  name: string;
  aadObjectId: string;
}

/** One event on the playground's WebSocket (what its chat page receives). */
export interface PlaygroundEvent {
  action: "createMessage" | "updateMessage" | "typing" | string;
  actionConversationId: string;
  message: PlaygroundMessage;
}

export interface PlaygroundMessage {
  messageId: string;
  from?: { id: string; name?: string };
  text?: string;
  attachments?: { contentType: string; content: any }[];
}

/** Client for the playground's internal HTTP API and WebSocket (0.2.x): what its chat page does. */
export class PlaygroundClient {
  /** stream: false opens no WebSocket (replies then stay buffered for the page). */
  static connect(url: string, options?: { stream?: boolean }): Promise<PlaygroundClient>;
  readonly url: string;
  /** GET /_internal/v1/config: bot, currentUser, users, personalChat, groupChats, teams. */
  readonly config: any;
  readonly events: PlaygroundEvent[];
  readonly bot: { id: string; name: string };
  readonly personalChatId: string;
  readonly groupChatId: string;
  channelId(name: string): string;
  /** currentUser or one of users, by id or name. */
  user(idOrName: string): MockUser & Record<string, unknown>;
  /** Sends a message as currentUser (the route ignores any other sender); `mention` prefixes an @mention of the bot. */
  send(conversationId: string, text: string, options?: { mention?: boolean }): Promise<{ messageId: string; postConversationId?: string }>;
  /** Sends a message as another mock user through "Mock an Activity"; the page shows only the bot's answer. */
  sendAs(idOrName: string, conversationId: string, text: string, options?: { mention?: boolean }): Promise<void>;
  /** Clicks an Action.Execute button; resolves with the invoke response (the card that replaces the clicked one). */
  execute(
    conversationId: string,
    replyToId: string,
    action: { verb: string; data?: Record<string, unknown> },
    options?: { from?: string },
  ): Promise<{ type: string; value: any }>;
  /** Clicks an Action.Submit button. */
  submit(conversationId: string, replyToId: string, value: Record<string, unknown>, options?: { from?: string }): Promise<unknown>;
  /** Sends the install events (installationUpdate, conversationUpdate), as opening the conversation in the page does. */
  install(conversationId: string): Promise<unknown>;
  botMessages(conversationId: string, prefix?: boolean): PlaygroundMessage[];
  updatesOf(messageId: string): PlaygroundMessage[];
  waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** currentUser and users (in file order) of a playground config file. */
export function readMockUsers(configPath?: string): { currentUser: MockUser; users: MockUser[] };
/** Demo-mode roles of `npm run playground`: readers *, currentUser operator, users[0] approver, approval required. */
export function playgroundRoles(configPath?: string): {
  ROLE_READERS: string;
  ROLE_OPERATORS: string;
  ROLE_APPROVERS: string;
  JIT_REQUIRE_APPROVAL: string;
};
export const ROLE_VARIABLES: readonly string[];

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number>;
export function startPlayground(options: StartPlaygroundOptions): Promise<RunningPlayground>;
export const DEFAULT_PORT: number;
export const DEFAULT_CONFIG: string;
export const REPO_ROOT: string;
