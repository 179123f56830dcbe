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

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number>;
export function startPlayground(options: StartPlaygroundOptions): Promise<RunningPlayground>;
export const DEFAULT_PORT: number;
export const DEFAULT_CONFIG: string;
export const REPO_ROOT: string;
