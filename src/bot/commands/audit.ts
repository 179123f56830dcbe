import { auditLogCard } from "../../cards/audit-log";
import { parseDuration } from "../../domain/durations";
import { AppError } from "../../domain/errors";
import { takeKeywordArgs } from "../../domain/tokens";
import type { CommandSpec } from "../command-spec";

const USAGE = "audit [last <N>h|<N>d] [page <n>]";
const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Longest window one card may cover. */
const MAX_WINDOW_MS = 90 * DEFAULT_WINDOW_MS;
/** The store answers at most this many entries per query. */
const MAX_ENTRIES = 1000;

export interface AuditArgs {
  windowMs: number;
  /** The window as typed (for the next-page button), e.g. "24h". */
  windowText: string;
  /** 0-based. */
  page: number;
}

/** Reads `last 7d page 2`. */
export function parseAuditArgs(argText: string): AuditArgs {
  const parsed = takeKeywordArgs(argText, ["last", "page"] as const);
  if (parsed.positional.length > 0 || parsed.rest !== undefined) {
    throw new AppError("BadInput", `Use ${USAGE}, e.g. "audit last 24h" or "audit last 7d".`);
  }
  let windowMs = DEFAULT_WINDOW_MS;
  let windowText = "24h";
  if (parsed.keywords.last !== undefined) {
    windowText = parsed.keywords.last.join(" ");
    windowMs = parseDuration(windowText);
    if (windowMs <= 0) throw new AppError("BadInput", `The window must be longer than zero, e.g. "audit last 24h".`);
    if (windowMs > MAX_WINDOW_MS) throw new AppError("BadInput", `The audit command shows at most the last 90 days; ask for "last 90d" or less.`);
  }
  let pageIndex = 0;
  if (parsed.keywords.page !== undefined) {
    const text = parsed.keywords.page.join(" ");
    if (!/^[1-9]\d{0,3}$/.test(text)) throw new AppError("BadInput", `"${text.slice(0, 20)}" is not a page number; pages start at 1.`);
    pageIndex = Number(text) - 1;
  }
  return { windowMs, windowText, page: pageIndex };
}

/** `audit`: recent audit entries, approvers only (the log names people and what they asked for). */
export const spec: CommandSpec = {
  name: "audit",
  usage: USAGE,
  summary: "Recent audit entries: who did what, to which target, with what result (approvers only)",
  description:
    "Shows the audit log of the last 24 hours (or the window you give, up to 90 days), newest first: every command, JIT request, " +
    "approval, denial, initiation and expiry, with who, when, the target and the result.",
  examples: ["audit", "audit last 7d", "audit last 24h page 2"],
  role: "approver",
  sideEffects: false,
  async handler(inv, services) {
    const args = parseAuditArgs(inv.argText);
    const since = new Date(services.clock.now().getTime() - args.windowMs).toISOString();
    const entries = await services.store.listAudit({ since, limit: MAX_ENTRIES });
    await inv.reply(
      auditLogCard(services.cards, {
        entries,
        windowMs: args.windowMs,
        page: args.page,
        truncated: entries.length >= MAX_ENTRIES,
        command: `audit last ${args.windowText}`,
      }),
    );
  },
};
