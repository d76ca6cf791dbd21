/**
 * The variants of a rule that the per-rule random cases (rules.test.ts) draw only one of:
 * every Stripe and Slack form, at random per run, each reported with a masked preview only.
 */
import { describe, expect, it } from "vitest";
import { createDetector } from "../../src/scan/detect.js";
import { ALNUM, rand } from "./fakes.js";

const detector = createDetector();
const DRAWS = Number(process.env.HUSH_RULE_DRAWS ?? 25);
const j = (...p: string[]) => p.join("");
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Reports `value` in `line` under `id`, once, and never shows it past its first 4 characters. */
function expectReported(id: string, line: string, value: string): void {
  const found = detector.detect(line);
  expect(found.map((f) => f.ruleId), line.slice(0, 30)).toEqual([id]);
  expect(JSON.stringify(found)).not.toContain(value.slice(4));
  expect(found[0]!.preview).toMatch(/^.{0,4}…\(\d+ chars\)$/);
}

const FORMS: Record<string, [string, () => string][]> = {
  "stripe-secret-key": [
    ["sk_test_", () => j("sk", "_test_", rand(ALNUM, 99))],
    ["rk_live_", () => j("rk", "_live_", rand(ALNUM, 24))],
    ["rk_test_", () => j("rk", "_test_", rand(ALNUM, 99))],
  ],
  "slack-token": [
    ["xapp-", () => j("xa", "pp-1-A", rand(UPPER_DIGITS, 10), "-", rand(DIGITS, 13), "-", rand(HEX, 64))],
    ["xoxe.xoxp-", () => j("xo", "xe.xoxp-1-", rand(ALNUM, 166))],
    ["xoxe-", () => j("xo", "xe-1-", rand(ALNUM, 146))],
    ["xoxa-", () => j("xo", "xa-2-", rand(ALNUM, 40))],
  ],
  "aws-bedrock-api-key": [
    [
      "short-term",
      () => {
        const url = j("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AS", "IA", rand(UPPER_DIGITS, 16),
          "%2F20261129%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20261129T190000Z&X-Amz-Expires=43200&X-Amz-Security-Token=", rand(ALNUM, 600),
          "&X-Amz-Signature=", rand(HEX, 64), "&X-Amz-SignedHeaders=host&Version=1");
        return j("bedrock", "-api-key-", Buffer.from(url).toString("base64"));
      },
    ],
  ],
  "slack-webhook": [
    ["workflows", () => j("https://hooks.", "slack.com/workflows/T", rand(UPPER_DIGITS, 10), "/A", rand(UPPER_DIGITS, 10), "/", rand(DIGITS, 18), "/", rand(ALNUM, 24))],
    ["triggers", () => j("https://hooks.", "slack.com/triggers/T", rand(UPPER_DIGITS, 10), "/", rand(DIGITS, 13), "/", rand(HEX, 32))],
  ],
};

describe("rule variants", () => {
  for (const [id, forms] of Object.entries(FORMS)) {
    for (const [name, make] of forms) {
      it(`${id} ${name}: reported for ${DRAWS} random values, masked`, () => {
        for (let i = 0; i < DRAWS; i++) {
          const value = make();
          expectReported(id, `TOKEN_VALUE: "${value}"`, value);
        }
      });
    }
  }

  it("slack-token: a body one character short or long of the configuration tokens' length is not that token", () => {
    for (const n of [145, 147]) expect(detector.detect(j("xo", "xe-1-", rand(ALNUM, n))).map((f) => f.ruleId)).not.toContain("slack-token");
    for (const n of [162, 167]) expect(detector.detect(j("xo", "xe.xoxp-1-", rand(ALNUM, n))).map((f) => f.ruleId)).not.toContain("slack-token");
  });

  it("stripe-secret-key: bodies shorter than 20 or longer than 247 are not keys; publishable keys are not secrets", () => {
    expect(detector.detect(j("sk", "_test_", rand(ALNUM, 19))).map((f) => f.ruleId)).not.toContain("stripe-secret-key");
    expect(detector.detect(j("sk", "_live_", rand(ALNUM, 248))).map((f) => f.ruleId)).not.toContain("stripe-secret-key");
    expect(detector.detect(j("pk", "_live_", rand(ALNUM, 99)))).toEqual([]);
  });

  it("npmrc-auth: `_password` in code is not an .npmrc line", () => {
    const line = `self._password = "${rand(ALNUM, 24)}"`;
    expect(detector.detect(line).map((f) => f.ruleId)).not.toContain("npmrc-auth");
  });

  it("url-password and database-url-password: templates and URLs without a password are not reported", () => {
    for (const scheme of ["postgres", "mysql", "mongodb+srv", "redis", "https", "sftp"]) {
      for (const pw of ["{password}", "{{password}}", "$(PGPASSWORD)", "${DB_PASSWORD}", "$DB_PASSWORD", "<password>", "********"]) {
        expect(detector.detect(`DATABASE_URL=${scheme}://app:${pw}@db.internal:5432/app`), `${scheme} ${pw}`).toEqual([]);
      }
      expect(detector.detect(`DATABASE_URL=${scheme}://app@db.internal:5432/app`), scheme).toEqual([]);
      expect(detector.detect(`DATABASE_URL=${scheme}://db.internal:5432/app`), scheme).toEqual([]);
    }
  });
});

describe("gitlab-token lengths (GitLab's documented formats)", () => {
  const B64URL = ALNUM + "_-";
  const has = (text: string) => detector.detect(text).map((f) => f.ruleId).includes("gitlab-token");

  it("reports legacy (20), routable and pipeline-trigger tokens, masked", () => {
    for (let i = 0; i < DRAWS; i++) {
      const legacy = j("gl", "pat-", rand(B64URL, 20));
      const routable = j("gl", "pat-", rand(B64URL, 27 + (i % 200)), ".", rand("0123456789abcdefghijklmnopqrstuvwxyz", 2), rand("0123456789abcdefghijklmnopqrstuvwxyz", 7));
      const trigger = j("gl", "ptt-", rand(HEX, 40));
      for (const t of [legacy, routable, trigger]) expectReported("gitlab-token", `GL = "${t}"`, t);
    }
  });

  it("a legacy body one character short or long, or a trigger token of 39 or 41, is not a GitLab token", () => {
    for (const n of [19, 21]) expect(has(j("gl", "pat-", rand(B64URL, n))), String(n)).toBe(false);
    for (const n of [39, 41]) expect(has(j("gl", "ptt-", rand(HEX, n))), String(n)).toBe(false);
  });
});
