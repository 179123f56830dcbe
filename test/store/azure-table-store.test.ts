/**
 * The Azure Table store against a real Azurite (started here, in memory, on free loopback ports): the same Store
 * contract as SQLite, plus what only a shared store has to show: several store objects (as several bot instances)
 * racing on one document, keys Table Storage would refuse, values over its property limits, damaged entities.
 */
import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { AppError } from "../../src/domain/errors";
import { openAzureTableStore, type AzureTableStore } from "../../src/azure/azure-table-store";
import { auditRowKey, auditRowKeyBound, createAppendSequence, encodeKey, INLINE_JSON_CHARS, packJson, unpackJson } from "../../src/azure/table-encoding";
import { startAzurite, type Azurite } from "../helpers/azurite";
import { aConversation, anAuditEntry, describeStoreContract } from "./store-contract";

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
});

/** A prefix no other test uses, so each test starts with empty tables. */
function freshPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

function open(prefix: string, extra: Partial<Parameters<typeof openAzureTableStore>[0]> = {}): Promise<AzureTableStore> {
  return openAzureTableStore({ connectionString: azurite.connectionString, prefix, ...extra });
}

function rawTable(prefix: string, table: "documents" | "audit" | "conversations"): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, `${prefix}${table}`, { allowInsecureConnection: true });
}

describe("AzureTableStore", () => {
  let prefix = "";
  describeStoreContract(
    "AzureTableStore on Azurite",
    async () => {
      prefix = freshPrefix();
      return open(prefix);
    },
    async () => open(prefix),
  );

  describe("several instances on one account", () => {
    it("when eight store objects race ifVersion writes on the same document, then exactly one wins each round", async () => {
      const prefix = freshPrefix();
      const stores = await Promise.all(Array.from({ length: 8 }, () => open(prefix)));
      try {
        for (let round = 0; round < 5; round++) {
          const key = `r${round}`;
          await stores[0]!.putDocument("jit-requests", key, { state: "pending" });
          const results = await Promise.allSettled(
            stores.map((s, i) => s.putDocument("jit-requests", key, { state: "approved", by: i }, { ifVersion: 1 })),
          );
          const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
          expect(won).toHaveLength(1);
          for (const r of results) {
            if (r.status === "rejected") expect((r.reason as AppError).code).toBe("Conflict");
          }
          expect(await stores[3]!.getDocument("jit-requests", key)).toMatchObject({ version: 2, value: { state: "approved", by: won[0] } });
        }
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("when several instances write without ifVersion at once, then no write is lost from the version count", async () => {
      const prefix = freshPrefix();
      const stores = await Promise.all(Array.from({ length: 4 }, () => open(prefix)));
      try {
        const versions = await Promise.all(stores.flatMap((s, i) => [0, 1].map((j) => s.putDocument("c", "shared", { i, j }))));
        expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect((await stores[0]!.getDocument("c", "shared"))?.version).toBe(8);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("when one instance appends audit entries, then another instance lists them newest first", async () => {
      const prefix = freshPrefix();
      const [a, b] = await Promise.all([open(prefix), open(prefix)]);
      try {
        await a!.appendAudit(anAuditEntry({ at: "2024-05-01T08:00:00.000Z", action: "jit:request" }));
        await b!.appendAudit(anAuditEntry({ at: "2024-05-01T08:01:00.000Z", action: "jit:approve" }));
        await a!.appendAudit(anAuditEntry({ at: "2024-05-01T08:02:00.000Z", action: "jit:initiate" }));
        expect((await b!.listAudit()).map((e) => e.action)).toEqual(["jit:initiate", "jit:approve", "jit:request"]);
      } finally {
        await Promise.all([a!.close(), b!.close()]);
      }
    });
  });

  describe("what Table Storage would refuse", () => {
    let store: AzureTableStore;
    let prefix: string;
    beforeEach(async () => {
      prefix = freshPrefix();
      store = await open(prefix);
    });
    afterEach(async () => {
      await store.close();
    });

    it("when keys hold characters Table Storage forbids, then they round-trip and do not collide", async () => {
      const keys = ["a/b", "a%2Fb", "what#is?this\\", "19:abc@thread.tacv2;messageid=1712345678901", "tab\there", "Zoë 東京"];
      for (const [i, key] of keys.entries()) await store.putDocument("odd/collection#1", key, i);
      const listed = await store.listDocuments<number>("odd/collection#1");
      expect(Object.fromEntries(listed.map((d) => [d.key, d.value]))).toEqual(Object.fromEntries(keys.map((k, i) => [k, i])));
      const conversation = aConversation({ id: "a:1Hk/zZ?x#y\\z" });
      await store.saveConversation(conversation);
      expect(await store.getConversation(conversation.id)).toStrictEqual(conversation);
    });

    it("when a key is longer than a RowKey may be, then it is stored under a hash and still round-trips", async () => {
      const key = `conv-${"x".repeat(2000)}`;
      expect(await store.putDocument("c", key, { long: true })).toBe(1);
      expect(await store.getDocument("c", key)).toMatchObject({ key, value: { long: true }, version: 1 });
      expect((await store.listDocuments("c")).map((d) => d.key)).toEqual([key]);
    });

    it("when a value is larger than a string property holds, then it is stored compressed and reads back exactly", async () => {
      const big = { refs: Array.from({ length: 4000 }, (_, i) => ({ key: `assessment-${i}`, resourceId: `/subscriptions/s/vm-${i}` })) };
      expect(JSON.stringify(big).length).toBeGreaterThan(INLINE_JSON_CHARS * 5);
      await store.putDocument("digest-subscriptions", "conv-big", big);
      expect((await store.getDocument("digest-subscriptions", "conv-big"))?.value).toStrictEqual(big);
      const raw = await rawTable(prefix, "documents").getEntity<Record<string, unknown>>(encodeKey("digest-subscriptions"), "conv-big");
      expect(raw["json"]).toBeUndefined();
      expect(raw["zipChunks"]).toBeGreaterThanOrEqual(1);
    });

    it("when an entity's JSON is damaged, then reads skip it with a warning that names where, not what", async () => {
      const warnings: unknown[] = [];
      const logged = await open(prefix, { logger: { warn: (obj: unknown) => void warnings.push(obj) } });
      await logged.putDocument("c", "good", { ok: true });
      await rawTable(prefix, "documents").createEntity({
        partitionKey: "c",
        rowKey: "bad",
        collection: "c",
        key: "bad",
        version: 1,
        updatedAt: "2024-05-01T08:00:00.000Z",
        json: "{ secret-ish but broken",
      });
      expect((await logged.listDocuments("c")).map((d) => d.key)).toEqual(["good"]);
      expect(await logged.getDocument("c", "bad")).toBeUndefined();
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify(warnings)).not.toContain("secret-ish");
      expect(JSON.stringify(warnings)).toContain("bad");
    });
  });

  describe("opening", () => {
    it("when the account cannot be reached, then opening fails with Config naming the endpoint", async () => {
      const connectionString = azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, "TableEndpoint=http://127.0.0.1:9");
      const error = await openAzureTableStore({ connectionString, retry: { maxRetries: 0 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("Config");
      expect((error as AppError).userMessage).toContain("http://127.0.0.1:9");
      expect((error as AppError).userMessage).not.toContain("AccountKey");
    });

    it("when the table endpoint is plain http to another host, then it is refused before any request", async () => {
      await expect(
        openAzureTableStore({ connectionString: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;TableEndpoint=http://storage.example.com/a" }),
      ).rejects.toMatchObject({ code: "Config" });
    });

    it("when the prefix would make an invalid table name, then Config", async () => {
      await expect(open("Bad-Prefix")).rejects.toMatchObject({ code: "Config" });
    });
  });
});

describe("table encoding", () => {
  it.each([
    ["plain", "plain"],
    ["a/b", "a%2Fb"],
    ["a%2Fb", "a%252Fb"],
    ["#?\\", "%23%3F%5C"],
    ["line\nbreak", "line%0Abreak"],
  ])("when the key is %j, then it is encoded as %j", (key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
  });

  it("when audit row keys are sorted ascending, then they read newest first, and a later append of the same instant first", () => {
    const seq = createAppendSequence(() => 1_700_000_000_000);
    const rows = [
      { at: Date.parse("2024-05-01T08:00:00Z"), tag: "older" },
      { at: Date.parse("2024-05-01T09:00:00Z"), tag: "same-1" },
      { at: Date.parse("2024-05-01T09:00:00Z"), tag: "same-2" },
      { at: Date.parse("1969-12-31T23:59:59Z"), tag: "before-1970" },
      { at: Date.parse("2200-01-01T00:00:00Z"), tag: "future" },
    ].map((r) => ({ ...r, key: auditRowKey(r.at, seq(), "ab") }));
    const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : 1)).map((r) => r.tag);
    expect(sorted).toEqual(["future", "same-2", "same-1", "older", "before-1970"]);
    const bound = auditRowKeyBound(Date.parse("2024-05-01T09:00:00Z"));
    expect(rows.filter((r) => r.key < bound).map((r) => r.tag).sort()).toEqual(["future", "same-1", "same-2"]);
  });

  it("when JSON is long, then it is packed into binary chunks and unpacked exactly; short JSON stays readable", () => {
    expect(packJson('{"a":1}', "x")).toEqual({ json: '{"a":1}' });
    const long = JSON.stringify({ text: randomBytes(60_000).toString("base64") });
    const packed = packJson(long, "x") as Record<string, unknown>;
    expect(packed["json"]).toBeUndefined();
    expect(packed["zipChunks"]).toBeGreaterThan(1);
    expect(unpackJson(packed)).toBe(long);
    expect(unpackJson({ ...packed, zip1: undefined })).toBeUndefined();
  });

  it("when compressed JSON would not fit one entity, then BadInput", () => {
    const huge = JSON.stringify(randomBytes(1_200_000).toString("base64"));
    expect(() => packJson(huge, "document")).toThrow(AppError);
  });
});
