import { describe, expect, it } from "vitest";
import { parseRunArgs } from "../../src/cli/run-args.js";

describe("hush run fast-path argv parsing", () => {
  it("parses the common forms like commander does", () => {
    expect(parseRunArgs(["run", "--", "node", "app.js", "--port", "1"])).toEqual({ globals: {}, flags: {}, command: "node", args: ["app.js", "--port", "1"] });
    expect(parseRunArgs(["run", "sh", "-c", 'echo "$@"', "sh", "--only", "x", "--", "--mask"])).toEqual({ globals: {}, flags: {}, command: "sh", args: ["-c", 'echo "$@"', "sh", "--only", "x", "--", "--mask"] });
    expect(parseRunArgs(["-e", "prod", "--cwd", "/p", "run", "--only", "a,b", "--clean-env", "--mask", "--strict", "--watch", "--grace-ms", "10", "--debug", "--", "x"])).toEqual({
      globals: { env: "prod", cwd: "/p", debug: true },
      flags: { only: "a,b", cleanEnv: true, mask: true, strict: true, watch: true, graceMs: "10" },
      command: "x",
      args: [],
    });
    expect(parseRunArgs(["run", "-C", "/q", "--secrets-dir", "/s", "--no-mask", "--", "y"])).toEqual({ globals: { cwd: "/q", secretsDir: "/s" }, flags: { mask: false }, command: "y", args: [] });
  });

  it("leaves everything else to commander (help, =-forms, unknown options, missing command or value)", () => {
    for (const argv of [["run", "--help"], ["run", "-h"], ["--help", "run"], ["run", "--only=a", "--", "x"], ["run", "--bogus", "--", "x"], ["run"], ["run", "--"], ["run", "--only"], ["-V", "run", "x"], ["--json", "run", "x"], ["run", "--", ""]]) {
      expect(parseRunArgs(argv), argv.join(" ")).toBeUndefined();
    }
  });
});
