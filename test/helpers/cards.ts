/** Reading cards in assertions. */

/** The Adaptive Card JSON inside a bot message. */
export function cardOf(activity: Record<string, any>): Record<string, any> {
  const att = (activity.attachments ?? []).find((a: any) => a.contentType === "application/vnd.microsoft.card.adaptive");
  if (!att) throw new Error(`no adaptive card in ${JSON.stringify(activity).slice(0, 300)}`);
  return att.content;
}

/** Every TextBlock/Fact text in a card, joined, for assertions that read like what a person sees. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      const o = n as Record<string, unknown>;
      if (typeof o.text === "string") out.push(o.text);
      if (typeof o.title === "string") out.push(o.title);
      if (typeof o.value === "string" && o.type === undefined) out.push(o.value);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.join("\n");
}
