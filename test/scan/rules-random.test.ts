/**
 * Every built-in rule has a true case and a false case drawn at random on each run: the true
 * ones are `FAKE` (fakes.ts; rules.test.ts puts them in realistic lines), the false ones are
 * here. A false case is a near miss of the rule's own format, drawn fresh: a provider key one
 * character short or long (for every variant of src/adapters/key-formats.ts), a URL template
 * or a URL without a password, a value that is a reference, base64 of prose, a public key. The
 * meta test fails when a rule id has no random case of either kind.
 */
import { generateKeyPairSync, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KEY_ALPHABETS, KEY_FORMATS, type KeyVariant } from "../../src/adapters/key-formats.js";
import { createDetector } from "../../src/scan/detect.js";
import { PATTERN_RULES } from "../../src/scan/rules.js";
import { ALNUM, FAKE, rand } from "./fakes.js";

const detector = createDetector();
const DRAWS = Number(process.env.HUSH_RULE_DRAWS ?? 25);
const j = (...p: string[]) => p.join("");
const pick = <T>(xs: readonly T[]): T => xs[randomInt(xs.length)]!;
const HEX = "0123456789abcdef";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");
const word = () => pick(["app", "svc", "deploy", "etl", "ci", "reader"]);
const host = () => j(pick(["db", "cache", "mq", "files"]), String(randomInt(1, 99)), ".internal");
/** A neutral line: no secret name, so only the format itself could make it a finding. */
const inLog = (x: string) => `2026-11-29T18:20:01Z INFO object ${x} stored (${randomInt(1000, 99999)} bytes)`;

/** "A-Za-z0-9_-" -> its characters. */
function expand(ranges: string): string {
  let out = "";
  for (let i = 0; i < ranges.length; i++) {
    if (ranges[i + 1] === "-" && i + 2 < ranges.length) {
      for (let c = ranges.charCodeAt(i); c <= ranges.charCodeAt(i + 2); c++) out += String.fromCharCode(c);
      i += 2;
    } else out += ranges[i];
  }
  return out;
}

/** A key of `variant` with a body of a length the format allows. */
function exact(v: KeyVariant): string {
  const [min, max] = typeof v.length === "number" ? [v.length, v.length] : v.length;
  return j(v.prefix.slice(0, 2), v.prefix.slice(2), rand(expand(KEY_ALPHABETS[v.alphabet]), min + randomInt(max - min + 1)), v.suffix ?? "");
}

/** A key of `variant` with a body one character shorter than the least or longer than the most. */
function offByOne(v: KeyVariant, delta: -1 | 1): string {
  const [min, max] = typeof v.length === "number" ? [v.length, v.length] : v.length;
  return j(v.prefix.slice(0, 2), v.prefix.slice(2), rand(expand(KEY_ALPHABETS[v.alphabet]), delta < 0 ? min - 1 : max + 1), v.suffix ?? "");
}

const URL_PLACEHOLDER = () => pick(["{password}", "{{ password }}", "{{.Values.db.password}}", `$(${pick(["PGPASSWORD", "DB_PASS"])})`, `\${${pick(["DB_PASSWORD", "REDIS_PASS"])}}`, "<password>", "%s"]);
const urlTemplate = (scheme: string) => j(scheme, "://", word(), ":", URL_PLACEHOLDER(), "@", host(), ":", String(randomInt(1000, 9999)), "/", word());
const urlNoPassword = (scheme: string) => j(scheme, "://", pick([`${word()}@`, ""]), host(), ":", String(randomInt(1000, 9999)), "/", word());

/** Per rule id: a near miss drawn fresh, and the line it sits in. None of them may be reported by that rule. */
const RANDOM_FALSE: Record<string, () => string> = {
  // Every provider key format: every variant, one character short and one long, in a neutral line.
  ...Object.fromEntries(KEY_FORMATS.map((f) => [f.ruleId, () => inLog(offByOne(pick(f.variants), pick([-1, 1] as const)))])),
  "private-key": () => {
    // A public key is no secret; nor is a private key's header with its body elided.
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return pick([publicKey.export({ type: "spki", format: "pem" }).toString(), `-----BEGIN RSA PRIVATE KEY-----\n${rand(ALNUM, 24)}...\n-----END RSA PRIVATE KEY-----`]);
  },
  "mistral-api-key": () => `MISTRAL_API_KEY=${rand(ALNUM, pick([31, 33]))}`,
  "aws-access-key-id": () => inLog(j("AK", "IA", rand(B32, pick([15, 17])))),
  "aws-secret-access-key": () => `aws_secret_access_key = ${rand(ALNUM + "+/", pick([39, 41]))}`,
  "aws-bedrock-api-key": () =>
    inLog(pick([j("AB", "SK", b64(j("NotBedrock-", rand(ALNUM, 40)))), j("bedrock", "-api-key-", b64(j("https://example.org/?q=", rand(ALNUM, 120))))])),
  "github-token": () => inLog(j("gh", pick(["p", "o", "s"]), "_", rand(ALNUM, 35))),
  "github-fine-grained-pat": () => inLog(j("github", "_pat_", rand(ALNUM, pick([21, 23])), "_", rand(ALNUM, 59))),
  "gitlab-token": () => inLog(j("gl", "pat-", rand(ALNUM + "_-", pick([19, 21])))),
  "slack-token": () => inLog(pick([j("xo", "xe-1-", rand(ALNUM, pick([145, 147]))), j("xo", "xe.xoxp-1-", rand(ALNUM, pick([162, 167])))])),
  // A webhook URL without its secret part.
  "slack-webhook": () => j("webhook: https://hooks.", "slack.com/services/T", rand("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8), "/B", rand("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10)),
  "sendgrid-api-key": () => inLog(j("S", "G.", rand(ALNUM + "_-", 21), ".", rand(ALNUM + "_-", 43))),
  // Two parts: a header and a payload, no signature.
  jwt: () => inLog(j(b64url('{"alg":"HS256","typ":"JWT"}'), ".", b64url(JSON.stringify({ sub: rand(ALNUM, 10), iat: randomInt(1e9) })))),
  "database-url-password": () => `DATABASE_URL=${pick([urlTemplate, urlNoPassword])(pick(["postgres", "mysql", "mongodb+srv", "redis"]))}`,
  "url-password": () => `endpoint: ${pick([urlTemplate, urlNoPassword])(pick(["https", "sftp", "ftp", "smtp", "amqps"]))}`,
  "npmrc-auth": () => pick([`//registry.npmjs.org/:_authToken=\${NPM_TOKEN_${rand("ABCDEFGHIJ", 4)}}`, `        self._password = "${rand(ALNUM, 24)}"`]),
  "curl-basic-auth": () => `curl -u ${word()}:${pick(["$PASSWORD", `\${TOKEN_${rand("ABCDEF", 3)}}`, "", "<token>"])} https://${host()}/v1/${word()}`,
  "generic-secret": () =>
    pick([
      `const apiKey = process.env.${rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 8)}_API_KEY;`,
      `SECRET_KEY = "${b64(pick(["This is dummy text for the unit tests", "The quick brown fox jumps over the lazy dog"]) + " " + randomInt(100))}"`,
      `const cacheKey = "user:${rand(HEX, 8)}-${rand(HEX, 4)}-4${rand(HEX, 3)}-a${rand(HEX, 3)}-${rand(HEX, 12)}:profile";`,
      `API_TOKEN: "{{ vault_${rand("abcdefgh", 6)}_token }}"`,
      `password: "${urlNoPassword("postgres")}"`,
    ]),
};

describe("random true and false cases for every rule", () => {
  it("every built-in rule id has a random true case (FAKE, or real keys for private-key) and a random false case", () => {
    const missing = PATTERN_RULES.flatMap((r) => [
      ...(FAKE[r.id] === undefined && r.id !== "private-key" ? [`${r.id}: no random true case (test/scan/fakes.ts FAKE)`] : []),
      ...(RANDOM_FALSE[r.id] === undefined ? [`${r.id}: no random false case (RANDOM_FALSE here)`] : []),
    ]);
    expect(missing).toEqual([]);
  });

  it("the provider keys' near misses are near: in the same line, a key of an allowed length is reported", () => {
    for (const f of KEY_FORMATS) {
      for (const v of f.variants) {
        const line = inLog(exact(v));
        expect(detector.detect(line).map((x) => x.ruleId), `${f.ruleId} ${v.prefix}`).toContain(f.ruleId);
      }
    }
  });

  for (const rule of PATTERN_RULES) {
    it(`${rule.id}: ${DRAWS} random near misses are not reported by it`, () => {
      const make = RANDOM_FALSE[rule.id];
      if (make === undefined) return; // the meta test above names it
      for (let i = 0; i < DRAWS; i++) {
        const line = make();
        expect(detector.detect(line).map((f) => f.ruleId), line.slice(0, 120)).not.toContain(rule.id);
      }
    });
  }
});
