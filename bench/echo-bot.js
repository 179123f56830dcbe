"use strict";
/**
 * The baseline: the smallest real Teams bot on the same stack, bare botbuilder CloudAdapter + restify, no auth
 * (empty MicrosoftAppId, like the benchmarked bot), replying to every message with one small Adaptive Card.
 * No store, no audit, no Azure. `node bench/echo-bot.js [port]` prints "echo bot listening on <url>".
 */
const restify = require("restify");
const { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, CardFactory } = require("botbuilder");

async function startEchoBot(port = 0) {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: "", MicrosoftAppPassword: "", MicrosoftAppType: "MultiTenant" }));
  const bot = new ActivityHandler();
  bot.onMessage(async (ctx, next) => {
    const card = CardFactory.adaptiveCard({
      type: "AdaptiveCard",
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      version: "1.5",
      body: [
        { type: "TextBlock", text: "Echo", weight: "Bolder", size: "Medium" },
        { type: "TextBlock", text: `You said: ${ctx.activity.text ?? ""}`, wrap: true },
      ],
    });
    await ctx.sendActivity({ attachments: [card] });
    await next();
  });
  const server = restify.createServer({ name: "echo-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
  server.post("/api/messages", async (req, res) => {
    await adapter.process(req, res, (ctx) => bot.run(ctx));
  });
  server.get("/healthz", (_req, res, next) => {
    res.send(200, { status: "ok" });
    next();
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

module.exports = { startEchoBot };

if (require.main === module) {
  // Started by the benchmark with --exit-with-parent: stop when the parent's end of stdin closes.
  if (process.argv.includes("--exit-with-parent")) {
    process.stdin.on("end", () => process.exit(0));
    process.stdin.resume();
  }
  startEchoBot(Number(process.argv[2] ?? 0)).then(
    ({ url }) => process.stdout.write(`echo bot listening on ${url}\n`),
    (err) => {
      process.stderr.write(`echo bot failed to start: ${err.message}\n`);
      process.exit(1);
    },
  );
}
