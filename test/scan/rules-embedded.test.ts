/**
 * Lines of one format written inside a string of another: an `.npmrc` line in a shell `echo`
 * (CI steps, Dockerfiles), and a JSON document in a JSON string (`"env": "{\"api_token\": …}"`).
 */
import { describe, expect, it } from "vitest";
import { createDetector } from "../../src/scan/detect.js";
import { ALNUM, rand } from "./fakes.js";

const detector = createDetector();
const DRAWS = Number(process.env.HUSH_RULE_DRAWS ?? 25);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const ids = (text: string) => detector.detect(text).map((f) => f.ruleId);

/** Reports `value` in `line` under `id` at its exact span, once, and never shows it past its first 4 characters. */
function expectReportedAt(id: string, line: string, value: string): void {
  const found = detector.detect(line);
  expect(found.map((f) => [f.ruleId, f.offset, f.length]), line.slice(0, 40)).toEqual([[id, line.indexOf(value), value.length]]);
  expect(JSON.stringify(found)).not.toContain(value.slice(4));
}

describe("npmrc-auth in a shell or code string (npm's _auth = base64 of user:password)", () => {
  it("reports _auth and _password written into .npmrc by echo, printf or code, masked", () => {
    for (let i = 0; i < DRAWS; i++) {
      const user = rand("abcdefghijklmnopqrstuvwxyz", 3 + (i % 8));
      const auth = b64(`${user}:${rand(ALNUM + "!#%^*_-", 12 + (i % 20))}`);
      const password = b64(rand(ALNUM, 20));
      for (const [line, value] of [
        [`      echo "_auth = ${auth}" >> ~/.npmrc`, auth],
        [`RUN echo '_auth=${auth}' > /root/.npmrc`, auth],
        [`printf "_auth=${auth}\\nalways-auth=true\\n" >> .npmrc`, auth],
        [`fs.writeFileSync(".npmrc", "_auth=${auth}\\n");`, auth],
        [`      echo "_password=${password}" >> ~/.npmrc`, password],
      ] as const) {
        expectReportedAt("npmrc-auth", line, value);
      }
    }
  });

  it("ignores references, empty values, prose, placeholders and values that are not base64 of user:password", () => {
    const notCredentials = [
      'echo "_auth = ${NPM_AUTH}" >> ~/.npmrc',
      'echo "_auth=$NPM_AUTH" >> ~/.npmrc',
      'echo "_auth=" >> ~/.npmrc',
      'echo "_auth = " >> ~/.npmrc',
      'log("_auth = base64 of your user name and password, see the docs");',
      `echo "_auth = ${b64("user:password")}" >> ~/.npmrc`,
      `echo "_auth = ${b64("admin:changeme")}" >> ~/.npmrc`,
      `echo "_auth = ${b64("Note: this is the text of the guide for the team")}" >> ~/.npmrc`,
    ];
    for (const line of notCredentials) expect(ids(line), line).toEqual([]);
    for (let i = 0; i < DRAWS; i++) {
      // Random characters (their base64 decodes to bytes, not to user:password), base64 without a colon, a UUID.
      const hex = "0123456789abcdef";
      for (const value of [rand(ALNUM, 32), b64(rand(ALNUM, 24)), `${rand(hex, 8)}-${rand(hex, 4)}-4${rand(hex, 3)}-a${rand(hex, 3)}-${rand(hex, 12)}`]) {
        const line = `echo "_auth=${value}" >> ~/.npmrc`;
        expect(ids(line), line).toEqual([]);
      }
    }
  });
});

describe("generic-secret in a JSON string in a JSON string", () => {
  it("takes a value holding JSON escapes of either level whole, up to its escaped closing quote", () => {
    for (let i = 0; i < DRAWS; i++) {
      const [a, b] = [rand(ALNUM, 12), rand(ALNUM, 14)];
      // One level (\/, \u002b, \u003d stand for / + = of the inner document), and two (PHP's
      // json_encode of json_encode writes the inner \/ as \\\/).
      for (const escape of ["\\/", "\\u002b", "\\u003d", "\\\\\\/", "\\\\u002b"]) {
        const value = `${a}${escape}${b}`;
        expectReportedAt("generic-secret", `{"env": "{\\"api_token\\": \\"${value}\\", \\"region\\": \\"eu-west-1\\"}"}`, value);
      }
    }
  });

  it("ignores what is no value there: addresses, paths, prose, a literal cut by a newline escape or by the outer quote", () => {
    const [a, b] = [rand(ALNUM, 12), rand(ALNUM, 14)];
    for (const inner of [
      `\\"token_url\\": \\"https:\\/\\/auth.acme.io\\/oauth2\\/v2\\/token\\"`,
      `\\"api_token_file\\": \\"configs2\\/tokens\\/api.json\\"`,
      `\\"api_token\\": \\"see the docs\\/readme\\"`,
      `\\"api_token\\": \\"${a}\\n${b}\\"`,
      `\\"api_token\\": \\"${a}\\/${b}"`,
    ]) {
      const line = `{"env": "{${inner}}"}`;
      expect(ids(line), line).toEqual([]);
    }
  });
});
