/**
 * What every posture view (score, recommendations, alerts, vm, exposure, containers) shares: the context a view is
 * built in (subscription names, failed subscriptions, page, the question asked), warnings for subscriptions that
 * could not be read, the "You asked: … — I ran: …" footer, paging lines and buttons, and short text helpers.
 */
import type { SubscriptionFailure } from "../domain/model";
import type { RenderedCard } from "../domain/ports";
import { nameOf } from "../domain/resource-ids";
import type { CommandButton } from "./message";
import { page } from "./render";
import { reportCard, type ReportItem, type ReportSection, type ReportView } from "./report";
import type { CardRenderer } from "./render";

/** Everything a posture view needs besides the domain result. */
export interface PostureContext {
  /** Subscription id → display name (the id itself where no name is known). */
  subscriptionNames: Readonly<Record<string, string>>;
  /** Subscriptions that could not be read, from every read the answer used. */
  failures: readonly SubscriptionFailure[];
  /** 0-based page of the view's lists. */
  page: number;
  /** The command line that ran, without `page <n>` (e.g. "recs high"); next-page buttons extend it. */
  command: string;
  /** When a free-form question was mapped to the command, the question as typed. */
  question?: string;
  now: Date;
}

/** A context with defaults, for tests and for views built outside a command. */
export function postureContext(overrides: Partial<PostureContext> & { command: string }): PostureContext {
  return { subscriptionNames: {}, failures: [], page: 0, now: new Date(), ...overrides };
}

/** Cuts text to `max` characters with an ellipsis; collapses runs of whitespace so one line stays one line. */
export function clip(text: string | undefined, max: number): string {
  if (text === undefined) return "";
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…` : flat;
}

/** The display name of a subscription, or its id when no name is known. */
export function subscriptionLabel(names: Readonly<Record<string, string>>, id: string): string {
  const wanted = id.toLowerCase();
  const name = Object.entries(names).find(([k]) => k.toLowerCase() === wanted)?.[1];
  return name !== undefined && name !== "" ? name : id;
}

/** One warning per subscription that could not be read, naming it, so nobody mistakes a partial answer for a full one. */
export function failureWarnings(failures: readonly SubscriptionFailure[], names: Readonly<Record<string, string>>): string[] {
  const bySubscription = new Map<string, SubscriptionFailure[]>();
  for (const f of failures) {
    const key = f.subscriptionId.toLowerCase();
    bySubscription.set(key, [...(bySubscription.get(key) ?? []), f]);
  }
  const warnings: string[] = [];
  for (const list of bySubscription.values()) {
    const first = list[0]!;
    const label = subscriptionLabel(names, first.subscriptionId);
    const shown = label === first.subscriptionId ? `subscription ${label}` : `${label} (${first.subscriptionId})`;
    const others = new Set(list.map((f) => f.message)).size - 1;
    warnings.push(
      `Could not read ${shown}; this answer leaves it out. ${clip(first.message, 220)}${others > 0 ? ` (and ${others} more error${others === 1 ? "" : "s"})` : ""}`,
    );
  }
  // A card with dozens of warnings is unreadable and could break the size budget; the log has them all.
  if (warnings.length > 5) return [...warnings.slice(0, 5), `${warnings.length - 5} more subscriptions could not be read.`];
  return warnings;
}

/** The command line for a page (0-based), e.g. `recs high page 2`. */
export function pageCommand(command: string, pageIndex: number): string {
  return pageIndex === 0 ? command : `${command} page ${pageIndex + 1}`;
}

/** The footer: which command answered a free-form question, else a hint. */
export function postureFooter(ctx: PostureContext, hint?: string): string | undefined {
  const ran = pageCommand(ctx.command, ctx.page);
  if (ctx.question !== undefined) return `You asked: "${clip(ctx.question, 160)}" — I ran: ${ran}`;
  return hint;
}

/** A paged section: the items of the context's page, "N more: type …" and the next page's command when there are more. */
export function pagedSection<T>(
  title: string,
  items: readonly T[],
  size: number,
  ctx: PostureContext,
  toItem: (item: T, index: number) => ReportItem,
  options: { subtitle?: string; empty?: string; moreCommand?: string } = {},
): { section: ReportSection; nextCommand?: string } {
  const p = page(items, size, ctx.page);
  const start = ctx.page * size;
  const nextCommand = p.nextPage !== undefined ? pageCommand(options.moreCommand ?? ctx.command, p.nextPage) : undefined;
  const pastEnd = p.shown.length === 0 && items.length > 0;
  return {
    section: {
      title,
      subtitle: options.subtitle,
      items: p.shown.map((item, i) => toItem(item, start + i)),
      empty: pastEnd
        ? `Nothing on page ${ctx.page + 1}: there ${items.length === 1 ? "is" : "are"} ${items.length} in all (${Math.ceil(items.length / size)} page${items.length > size ? "s" : ""}).`
        : options.empty,
      more: nextCommand !== undefined ? `${p.more} more: type ${nextCommand}` : undefined,
    },
    nextCommand,
  };
}

/** The next-page button, when there is a next page. */
export function nextPageButton(nextCommand: string | undefined, title = "Next page"): CommandButton[] {
  return nextCommand === undefined ? [] : [{ title, command: nextCommand }];
}

/** `2030-01-01 10:00 UTC` for an ISO time, or the text as given when it does not parse. */
export function utcMinute(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `5m ago`, `3h ago`, `2d ago` (or `in 5m` for a time ahead of now). */
export function age(iso: string, now: Date): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const diff = now.getTime() - t;
  const abs = Math.abs(diff);
  const text =
    abs < 60_000 ? "now" : abs < 3_600_000 ? `${Math.floor(abs / 60_000)}m` : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)}h` : `${Math.floor(abs / 86_400_000)}d`;
  if (text === "now") return "just now";
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** `vm-web-01 · Contoso Production / rg-web-prod` for a resource id. */
export function resourceLabel(id: string, subscriptionId: string, names: Readonly<Record<string, string>>): string {
  const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
  const where = [subscriptionLabel(names, subscriptionId), rg].filter((x) => x !== undefined && x !== "").join(" / ");
  const isSubscription = /^\/subscriptions\/[^/]+\/?$/i.test(id);
  return isSubscription ? `subscription ${where}` : `${nameOf(id)} · ${where}`;
}

/** Renders a posture view with the report template; the summary is the title and the headline figure. */
export function postureCard(cards: CardRenderer, view: ReportView): RenderedCard {
  const headline = view.headline ? `: ${view.headline.value} ${view.headline.label}` : "";
  return reportCard(cards, view, `${view.title}${headline}`);
}

/** `1 VM`, `3 VMs`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
