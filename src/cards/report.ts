/**
 * View model for the report card (cards/report.json): the one layout every posture answer uses, so every view looks
 * alike (title and headline figure, facts, sections of items with a severity badge, "N more", buttons, a footer that
 * says which command ran). Builders in src/cards/<view>.ts turn domain results into a ReportView.
 */
import type { RenderedCard } from "../domain/ports";
import type { CommandButton } from "./message";
import type { CardRenderer } from "./render";

/** Adaptive Card text colours. */
export type TextColor = "default" | "dark" | "light" | "accent" | "good" | "warning" | "attention";

export interface ReportItem {
  title: string;
  /** Short coloured tag in front, e.g. "HIGH". */
  badge?: string;
  color?: TextColor;
  /** Secondary lines under the title. */
  lines?: string[];
  /** Right-aligned figure, e.g. "+3.2" or "12 resources". */
  value?: string;
}

export interface ReportSection {
  title: string;
  subtitle?: string;
  items: ReportItem[];
  /** Shown when items is empty. */
  empty?: string;
  /** e.g. "12 more: type recs high page 2". */
  more?: string;
}

export interface ReportView {
  title: string;
  subtitle?: string;
  headline?: { value: string; label: string; color?: TextColor };
  facts?: { title: string; value: string }[];
  sections: ReportSection[];
  /** Subscriptions that could not be read, and other caveats. */
  warnings?: string[];
  buttons?: CommandButton[];
  links?: { title: string; url: string }[];
  footer?: string;
}

/**
 * Issue 9 (visual): one badge column width per section, wide enough for its longest badge, so titles line up under
 * each other whether the badge says MED or EXPOSED. Widths of capitals at the small bold size, measured with the
 * widest fallback font a host may use (DejaVu Sans; Segoe UI in Teams is narrower); a badge wraps rather than being
 * cut if a font runs wider still.
 */
export function badgeWidth(badges: readonly (string | undefined)[]): string {
  const width = (badge: string) => [...badge].reduce((px, ch) => px + (/[MW]/.test(ch) ? 11 : /[\sI.:]/.test(ch) ? 4 : 8), 4);
  return `${Math.max(24, ...badges.map((b) => (b ? width(b) : 0)))}px`;
}

export function reportCard(cards: CardRenderer, view: ReportView, summary: string): RenderedCard {
  return cards.render(
    "report",
    {
      title: view.title,
      subtitle: view.subtitle ?? null,
      headline: view.headline ? { color: "default", ...view.headline } : null,
      facts: view.facts ?? [],
      sections: view.sections.map((s) => {
        const width = badgeWidth(s.items.map((i) => i.badge));
        return {
          title: s.title,
          subtitle: s.subtitle ?? null,
          empty: s.empty ?? "Nothing to show.",
          more: s.more ?? null,
          items: s.items.map((i) => ({
            title: i.title,
            badge: i.badge ?? null,
            badgeWidth: width,
            color: i.color ?? "default",
            lines: i.lines ?? [],
            value: i.value ?? null,
          })),
        };
      }),
      warnings: view.warnings ?? [],
      buttons: view.buttons ?? [],
      links: (view.links ?? []).filter((l) => /^https:\/\//.test(l.url)),
      footer: view.footer ?? null,
    },
    summary,
  );
}

/** Colour and badge for a severity. */
export function severityStyle(severity: string): { badge: string; color: TextColor } {
  switch (severity.toLowerCase()) {
    case "high":
    case "critical":
      return { badge: "HIGH", color: "attention" };
    case "medium":
      return { badge: "MED", color: "warning" };
    case "low":
      return { badge: "LOW", color: "accent" };
    default:
      return { badge: "INFO", color: "default" };
  }
}
