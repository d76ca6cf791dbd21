/**
 * What the `gcp` source does beyond the conformance suite, against the fake Secret Manager with the
 * real SDK: aliases, numbers and JSON properties through `secrets.NAME.remote`, lists and versions
 * past one page, the CRC32C check, a retried write that makes one version, regional secrets,
 * options refused offline, the SDK's retries off, and doctor's check. Every failure also checks
 * that no value leaked.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { HushError } from "../../src/errors.js";
import { createGcpSource, gcpSourceType } from "../../src/sources/gcp.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { expectHushError } from "./conformance/cases.js";
import { startGcpTestBed, type GcpTestBed } from "./gcp-harness.js";

const P = "projects/hush-test";
let bed: GcpTestBed;
beforeAll(async () => {
  bed = await startGcpTestBed();
});
afterAll(async () => bed?.close());

async function failure(p: Promise<unknown>): Promise<HushError> {
  return p.then(
    () => expect.unreachable("expected a HushError"),
    (e: unknown) => expectHushError(e),
  );
}

describe("gcp source: reads through the mapping model", () => {
  it("reads latest, a number, an alias and a JSON property", async () => {
    const json = JSON.stringify({ database: "postgres://CANARY-db", port: 5432 });
    bed.fake.seed(P, "app-config", json);
    bed.fake.seed(P, "app-config", JSON.stringify({ database: "postgres://CANARY-db2" }));
    bed.fake.secret(P, "app-config")!.versionAliases = { stable: 1 };
    const { source } = bed.source({ cacheTtlMs: 0 }, {
      "database.config": { key: "app-config", property: "database", version: "stable" },
      db_port: { key: "app-config", property: "port", version: "1" },
      db_latest: { key: "app-config", property: "database" },
      whole: { key: "app-config" },
    });
    expect(await source.get("database.config")).toMatchObject({ value: "postgres://CANARY-db", version: 1, source: "gcp" });
    expect(await source.get("db_port")).toMatchObject({ value: "5432", encoding: "json" });
    expect(await source.get("db_latest")).toMatchObject({ value: "postgres://CANARY-db2", version: 2 });
    expect((await source.get("whole"))?.value).toContain("CANARY-db2");
    expect(await source.getVersion!("whole", 1)).toMatchObject({ version: 1 });
    expect((await source.list()).sort()).toEqual(expect.arrayContaining(["database.config", "db_latest", "db_port", "whole"]));
  });

  it("a disabled latest version is DELETED; a name with '.' and no mapping is not here, and cannot be written", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    bed.fake.seed(P, `${prefix}off`, "CANARY-off");
    bed.fake.secret(P, `${prefix}off`)!.versions[0]!.state = "DISABLED";
    expect((await failure(source.get("off"))).code).toBe("DELETED");
    expect(await source.get("some.name")).toBeUndefined();
    const e = await failure(source.set!("some.name", "CANARY-x"));
    expect(e.code).toBe("INVALID_NAME");
    expect(e.hint).toContain("remote.key");
  });

  it("a payload whose dataCrc32c does not match is STORE_CORRUPT, never the value", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    bed.fake.seed(P, `${prefix}bent`, "CANARY-bent");
    bed.fake.corrupted.add(`${prefix}bent`);
    const e = await failure(source.get("bent"));
    expect(e.code).toBe("STORE_CORRUPT");
    expect(e.message).toContain("CRC32C");
  });
});

describe("gcp source: lists and versions past one page", () => {
  it("list follows nextPageToken and keeps only ids that start with the prefix", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    for (let i = 0; i < 60; i++) bed.fake.seed(P, `${prefix}k${i}`, "x");
    bed.fake.seed(P, `other-${prefix}k0`, "x"); // `name:` matches anywhere; the source checks the start
    bed.fake.maxPageSize = 25;
    const before = bed.fake.server.requests.length;
    const names = await source.list();
    const pages = bed.fake.server.requests.slice(before).filter((r) => r.path === `/v1/${P}/secrets`);
    expect(names.length).toBe(60);
    expect(pages.length).toBe(3);
    expect(pages.every((r) => r.query.get("filter") === `name:${prefix}`)).toBe(true);
    expect(pages[1]!.query.get("pageToken")).toBeTruthy();
  });

  it("listing: mapped lists the names hush.yaml maps, with no call; a denied API listing is ACCESS_DENIED, never empty", async () => {
    const { source: mapped } = bed.source({ cacheTtlMs: 0, listing: "mapped" }, { openai_api_key: { key: "agents-openai" }, "db.url": { key: "agents-db" } });
    const { source: api } = bed.source({ cacheTtlMs: 0 });
    bed.fake.listDenied = true;
    try {
      const before = bed.fake.server.requests.length;
      expect(await mapped.list()).toEqual(["openai_api_key", "db.url"]);
      expect(bed.fake.server.requests.length).toBe(before);
      expect((await failure(api.list())).code).toBe("ACCESS_DENIED");
    } finally {
      bed.fake.listDenied = false;
    }
  });

  it("labels: put on created secrets and required of listed ones", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0, labels: ["team=agents"] });
    await source.set!("labelled", "CANARY-l");
    bed.fake.seed(P, `${prefix}unlabelled`, "x");
    expect(bed.fake.secret(P, `${prefix}labelled`)!.labels).toEqual({ team: "agents", "managed-by": "hush" });
    expect(await source.list()).toEqual(["labelled"]);
  });

  it("versions follow every page, newest first, states as labels", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    for (let i = 0; i < 30; i++) bed.fake.seed(P, `${prefix}many`, `v${i}`);
    bed.fake.secret(P, `${prefix}many`)!.versions[0]!.state = "DESTROYED";
    bed.fake.secret(P, `${prefix}many`)!.versionAliases = { stable: 28, canary: 30 };
    const versions = await source.versions!("many");
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(versions[0]!.labels).toEqual(["latest", "canary"]);
    expect(versions[2]!.labels).toEqual(["stable"]);
    expect(versions.at(-1)!.labels).toEqual(["destroyed"]);
  });
});

describe("gcp source: writes", () => {
  it("a write whose reply is lost is retried as one version, not two", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0, timeoutMs: 300 });
    await source.set!("once", "CANARY-0");
    bed.fake.holdNextAddReplyMs = 1200; // applied, then the reply comes after the timeout
    const r = await source.set!("once", "CANARY-1");
    expect(r.version).toBe(2);
    expect(bed.fake.secret(P, `${prefix}once`)!.versions.length).toBe(2);
    expect((await source.get("once"))?.value).toBe("CANARY-1");
  });

  it("delete sends the etag it just read (check-and-set), and removes the secret", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    await source.set!("gone", "CANARY-gone");
    const etag = bed.fake.secret(P, `${prefix}gone`)!.etag;
    expect(await source.delete!("gone")).toBe(true);
    const del = bed.fake.server.requests.filter((r) => r.method === "DELETE").at(-1)!;
    expect(del.query.get("etag")).toBe(etag);
    expect(bed.fake.secret(P, `${prefix}gone`)).toBeUndefined();
  });

  it("rollback adds a version equal to an old one; a value over 64 KiB is LIMIT_EXCEEDED", async () => {
    const { source } = bed.source({ cacheTtlMs: 0 });
    await source.set!("rb", "CANARY-a");
    await source.set!("rb", "CANARY-b");
    expect(await source.rollback!("rb", 1)).toMatchObject({ value: "CANARY-a", version: 3 });
    expect((await failure(source.set!("rb", "CANARY".repeat(11_000)))).code).toBe("LIMIT_EXCEEDED");
  });

  it("regional secrets: reads and writes under locations/<location>", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0, location: "europe-west1" });
    await source.set!("eu", "CANARY-eu");
    expect(bed.fake.secret(`${P}/locations/europe-west1`, `${prefix}eu`)).toBeDefined();
    expect(bed.fake.secret(P, `${prefix}eu`)).toBeUndefined();
    expect((await source.get("eu"))?.location).toContain("/locations/europe-west1/secrets/");
  });
});

describe("gcp source: errors and retries", () => {
  it("the SDK's own retries are off: a lasting UNAVAILABLE costs exactly `attempts` requests", async () => {
    const { source } = bed.source({ cacheTtlMs: 0, attempts: 3 });
    bed.fake.server.alwaysFault = googleErrorBody("UNAVAILABLE");
    const before = bed.fake.server.requests.length;
    try {
      expect((await failure(source.get("anything"))).code).toBe("SOURCE_UNAVAILABLE");
    } finally {
      bed.fake.server.alwaysFault = undefined;
    }
    expect(bed.fake.server.requests.length - before).toBe(3);
  });

  it("credentials the service refuses are ACCESS_DENIED with the gcloud fix; nothing is read as 'not found'", async () => {
    const { source } = bed.source({ cacheTtlMs: 0 });
    bed.fake.tokensNotBefore = Date.now() + 60_000;
    try {
      const e = await failure(source.get("anything"));
      expect(e.code).toBe("ACCESS_DENIED");
      expect(e.hint).toContain("gcloud auth application-default login");
    } finally {
      bed.fake.tokensNotBefore = 0;
    }
  });

  it("refuses offline: plain http to a non-loopback host, a bad prefix, location or project", () => {
    const context = { root: bed.dir, secretsDir: bed.dir, environment: "dev", env: bed.env, onWarning: () => undefined };
    for (const bad of [{ prefix: "a/b" }, { location: "Europe West" }, { project: "X" }]) expect(() => createGcpSource({ ...bad }, context)).toThrow(HushError);
    // ... and hush.yaml's validation says so first, at the option's path, without echoing the value.
    const problems: string[] = [];
    const add = (path: unknown, message: string) => problems.push(`${String(path)}: ${message}`);
    for (const [key, value] of [["prefix", "a/b"], ["location", "Europe West"], ["project", "X"], ["endpoint", "ftp://x"]] as const) {
      expect(gcpSourceType.options[key].check(value, ["sources", 0, "options", key] as never, add as never)).toBeUndefined();
    }
    expect(problems.length).toBe(4);
    expect(problems.join("\n")).not.toMatch(/a\/b|Europe West|ftp:/);
  });

  it("plain http to a non-loopback host is refused before any request", async () => {
    const context = { root: bed.dir, secretsDir: bed.dir, environment: "dev", env: bed.env, onWarning: () => undefined };
    const source = createGcpSource({ project: "hush-test", endpoint: "http://secretmanager.example.com", cacheTtlMs: 0 }, context);
    expect((await failure(source.get("x"))).code).toBe("CONFIG_INVALID");
  });
});

describe("gcp source: last-known-good copies (offlineCache)", () => {
  it("serves an encrypted copy, marked stale and with a warning, while Google is unreachable; never when denied", async () => {
    createKeyFile(join(bed.dir, ".secrets"), "dev");
    const { source, prefix } = bed.source({ cacheTtlMs: 0, attempts: 1, offlineCache: { maxStalenessMs: 3_600_000 } });
    bed.fake.seed(P, `${prefix}kept`, "CANARY-kept");
    expect((await source.get("kept"))?.stale).toBeUndefined();
    bed.fake.server.alwaysFault = googleErrorBody("UNAVAILABLE");
    try {
      expect(await source.get("kept")).toMatchObject({ value: "CANARY-kept", stale: true });
      expect(bed.warnings.some((w) => w.includes("last-known-good copy of kept"))).toBe(true);
      expect(bed.warnings.join("\n")).not.toContain("CANARY");
      bed.fake.server.alwaysFault = googleErrorBody("PERMISSION_DENIED");
      expect((await failure(source.get("kept"))).code).toBe("ACCESS_DENIED");
    } finally {
      bed.fake.server.alwaysFault = undefined;
    }
  });
});

describe("gcp source: check() for hush doctor", () => {
  it("names the project and the account, lists and reads a sample name", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    bed.fake.seed(P, `${prefix}sample`, "CANARY-sample");
    for (let i = 0; i < 30; i++) bed.fake.seed(P, `${prefix}zz${i}`, "x");
    const before = bed.fake.server.requests.length;
    const check = await source.check!();
    expect(bed.fake.server.requests.slice(before).filter((r) => r.path.endsWith("/secrets")).length, "one page of one secret, however many there are").toBe(1);
    expect(check).toMatchObject({ ok: true });
    expect(check.detail).toContain("project hush-test");
    expect(check.detail).toContain(bed.fake.account.clientEmail);
    expect(check.detail).toContain("read sample: allowed");
    expect(JSON.stringify(check)).not.toContain("CANARY");
  });

  it("a denied sample is a problem with the gcloud command that grants secretAccessor", async () => {
    const { source, prefix } = bed.source({ cacheTtlMs: 0 });
    bed.fake.seed(P, `${prefix}locked`, "CANARY-locked");
    const { source: reader } = bed.source({ cacheTtlMs: 0, prefix }, { locked_ref: { key: `${prefix}locked` } });
    bed.fake.denied.add(`${prefix}locked`);
    const check = await reader.check!();
    expect(check.ok).toBe(false);
    expect(check.problems?.[0]?.fix).toBe(`gcloud secrets add-iam-policy-binding ${prefix}locked --project=hush-test --member=serviceAccount:${bed.fake.account.clientEmail} --role=roles/secretmanager.secretAccessor`);
    expect(JSON.stringify(check)).not.toContain("CANARY");
    await source.dispose?.();
  });

  it("an unreachable endpoint is a problem, not an exception", async () => {
    const { source } = bed.source({ cacheTtlMs: 0, endpoint: "http://127.0.0.1:9", attempts: 1, timeoutMs: 300 });
    const check = await source.check!();
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("unreachable");
    expect(check.problems?.[0]?.message).toContain("does not answer");
  });
});
