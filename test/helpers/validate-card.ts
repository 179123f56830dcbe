/** Validates a card with the real `adaptivecards` library (its UMD bundle loads in Node; see reference §11). */
const AC = require("adaptivecards/dist/adaptivecards.js");

/** Returns the parse and validation problems of a card; an empty list means valid. */
export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}
