/**
 * The `gcp` source (Google Secret Manager) through the shared conformance suite, against the fake
 * Secret Manager (test/fakes/gcp-secret-manager.ts) with the real SDK and real credentials. The
 * Google-specific behaviour (aliases, numbered versions, JSON properties, pagination, CRC32C,
 * retried writes, regional secrets, doctor's check) is in gcp-behaviour.test.ts.
 */
import { afterAll, beforeAll } from "vitest";
import { describeSourceConformance } from "./conformance/suite.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { startGcpTestBed, type GcpTestBed } from "./gcp-harness.js";

let bed: GcpTestBed;
beforeAll(async () => {
  bed = await startGcpTestBed();
});
afterAll(async () => bed?.close());

describeSourceConformance(
  "gcp",
  {
    async create() {
      const { fake } = bed;
      const { source, prefix } = bed.source({ timeoutMs: 400 });
      const parent = "projects/hush-test";
      const heal = async () => {
        fake.server.alwaysFault = undefined;
        fake.server.faults.length = 0;
      };
      return {
        source,
        async seed(values) {
          for (const [name, value] of Object.entries(values)) fake.seed(parent, `${prefix}${name}`, value);
        },
        async breakIt() {
          fake.server.alwaysFault = googleErrorBody("PERMISSION_DENIED");
        },
        faults: {
          async deny(name) {
            fake.denied.add(`${prefix}${name}`);
          },
          async deleteLatest(name) {
            const latest = fake.secret(parent, `${prefix}${name}`)!.versions.at(-1)!;
            [latest.state, latest.data] = ["DESTROYED", Buffer.alloc(0)];
          },
          async rateLimit(seconds) {
            fake.server.faults.push({ ...googleErrorBody("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Access requests'."), headers: { "retry-after": String(seconds) } });
          },
          async serverErrors(count) {
            const storm = [{ status: 500, body: googleErrorBody("INTERNAL").body }, { status: 502, body: "<html>Bad Gateway</html>" }, googleErrorBody("UNAVAILABLE")];
            if (count === Infinity) fake.server.alwaysFault = storm[2];
            else for (let i = 0; i < count; i++) fake.server.faults.push(storm[i % 3]!);
          },
          async slow() {
            fake.server.alwaysFault = { delayMs: 1500 };
          },
          async malformed() {
            fake.server.alwaysFault = { malformed: true };
          },
          async expireToken() {
            fake.tokensNotBefore = Date.now() + 1000;
            return "denied";
          },
          heal,
        },
        async cleanup() {
          await heal();
          fake.tokensNotBefore = 0;
          await source.dispose?.();
          for (const key of [...fake.secrets.keys()]) if (key.includes(`/secrets/${prefix}`)) fake.secrets.delete(key);
        },
      };
    },
  },
  {
    skips: {
      setMany: "Secret Manager has no multi-secret transaction: a batch cannot be all or nothing",
      watch: "Secret Manager reports changes through Pub/Sub only; the cache's TTL (cacheTtl) bounds staleness instead",
    },
  },
);
