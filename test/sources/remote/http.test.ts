import { afterEach, describe, expect, it } from "vitest";
import { HushError } from "../../../src/errors.js";
import { createHttpClient, replyError, replyJson, type HttpClient } from "../../../src/sources/remote/http.js";
import { errorForStatus, malformedReply } from "../../../src/sources/remote/errors.js";
import { startFakeServer, type FakeServer } from "../../fakes/http-fake.js";

const where = { source: "vault", operation: "read", path: "secret/data/app", secret: "app" };
let fake: FakeServer | undefined;
let client: HttpClient | undefined;
afterEach(async () => {
  client?.close();
  await fake?.close();
});

async function setup(timeoutMs = 2000): Promise<{ fake: FakeServer; client: HttpClient }> {
  fake = await startFakeServer(() => ({ status: 200, json: { data: "CANARY-value" } }));
  client = createHttpClient({ baseUrl: fake.url, timeoutMs, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return { fake, client };
}
const get = (c: HttpClient) => c.request({ method: "GET", path: "/v1/secret/data/app", where });

describe("http client", () => {
  it("retries 5xx and dropped connections, then answers", async () => {
    const { fake, client } = await setup();
    fake.faults.push({ status: 502 }, { drop: true }, { status: 500 });
    const reply = await get(client);
    expect(reply.status).toBe(200);
    expect(reply.attempts.map((a) => a.outcome)).toEqual(["502", "ECONNRESET", "500", "200"]);
    expect(fake.requests.length).toBe(4);
  });

  it("a lasting 5xx ends as SOURCE_UNAVAILABLE naming the source and path, with the attempts for --debug", async () => {
    const { fake, client } = await setup();
    fake.alwaysFault = { status: 503 };
    const reply = await get(client);
    const e = replyError(reply, where)!;
    expect(e.code).toBe("SOURCE_UNAVAILABLE");
    expect(e.message).toContain("vault: read of secret/data/app");
    expect(e.stack).toContain("attempt 4 GET /v1/secret/data/app: 503");
    expect(fake.requests.length).toBe(4);
  });

  it("a write is retried only when nothing reached the backend", async () => {
    const { fake, client } = await setup();
    fake.faults.push({ status: 500 });
    const reply = await client.request({ method: "POST", path: "/v1/x", json: { a: 1 }, where, idempotent: false });
    expect(reply.status).toBe(500);
    expect(fake.requests.length).toBe(1);
  });

  it("a timeout is SOURCE_UNAVAILABLE saying so, in bounded time", async () => {
    const { fake, client } = await setup(100);
    fake.alwaysFault = { delayMs: 1000 };
    const e = (await get(client).catch((x: unknown) => x)) as HushError;
    expect(e).toBeInstanceOf(HushError);
    expect(e.code).toBe("SOURCE_UNAVAILABLE");
    expect(e.message).toMatch(/timed out after 100 ms/);
  });

  it("a refused connection is SOURCE_UNAVAILABLE", async () => {
    const { fake, client } = await setup();
    await fake.close();
    const e = (await get(client).catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("SOURCE_UNAVAILABLE");
    expect(e.causeCode).toBe("ECONNREFUSED");
  });

  it("a body that is not JSON is BAD_REPLY and the parser's message (which quotes it) is dropped", async () => {
    const { fake, client } = await setup();
    fake.faults.push({ status: 200, body: "<html>CANARY-secret</html>" });
    const reply = await get(client);
    const e = (() => {
      try {
        replyJson(reply, where);
      } catch (x) {
        return x as HushError;
      }
    })()!;
    expect(e.code).toBe("BAD_REPLY");
    expect(`${e.message} ${JSON.stringify(e)} ${e.stack}`).not.toContain("CANARY");
  });
});

describe("errorForStatus", () => {
  it("maps 401/403 to ACCESS_DENIED, 404 to not here, 429/5xx to SOURCE_UNAVAILABLE, other 4xx to BAD_REPLY", () => {
    expect(errorForStatus(401, where)?.code).toBe("ACCESS_DENIED");
    expect(errorForStatus(403, where)?.code).toBe("ACCESS_DENIED");
    expect(errorForStatus(404, where)).toBeUndefined();
    expect(errorForStatus(200, where)).toBeUndefined();
    expect(errorForStatus(429, where)?.code).toBe("SOURCE_UNAVAILABLE");
    expect(errorForStatus(503, where)?.message).toMatch(/sealed/);
    expect(errorForStatus(500, where)?.code).toBe("SOURCE_UNAVAILABLE");
    expect(errorForStatus(400, where)?.code).toBe("BAD_REPLY");
    const e = errorForStatus(403, where)!;
    expect([e.source, e.secret]).toEqual(["vault", "app"]);
    expect(malformedReply(where, "no data").message).toBe("vault: read of secret/data/app: the reply is malformed (no data).");
  });
});

describe("http client during an outage", () => {
  it("after a request ran out of retries, the next ones make one attempt each, until one succeeds", async () => {
    const { fake, client } = await setup();
    fake.alwaysFault = { status: 503 };
    await get(client);
    expect(fake.requests.length).toBe(4);
    const second = await get(client);
    expect(fake.requests.length, "one attempt while the backend is failing").toBe(5);
    expect(second.attempts[0]!.operation).toMatch(/backend failing: one attempt/);
    fake.alwaysFault = undefined;
    expect((await get(client)).status).toBe(200);
    fake.faults.push({ status: 502 });
    expect((await get(client)).status, "recovered: retries again").toBe(200);
    expect(fake.requests.length).toBe(8);
  });
});
