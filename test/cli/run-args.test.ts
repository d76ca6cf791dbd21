import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Command } from "commander";
import { PassThrough, Readable } from "node:stream";
import { parseRunArgs } from "../../src/cli/run-args.js";
import { register } from "../../src/cli/commands/run.js";
import { runProgram } from "../../src/cli/program.js";
import { globalOptions } from "../../src/cli/open-manager.js";
import type { CliContext } from "../../src/cli/context.js";
import type { CommandEntry } from "../../src/cli/commands.js";

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
    expect(parseRunArgs(["run", "-f", ".env.prod", "--env-file", ".env", "-f", "--mask", "--", "z"])).toEqual({ globals: {}, flags: { envFile: [".env.prod", ".env", "--mask"] }, command: "z", args: [] });
    expect(parseRunArgs(["run", "-C", "/q", "--secrets-dir", "/s", "--no-mask", "--", "y"])).toEqual({ globals: { cwd: "/q", secretsDir: "/s" }, flags: { mask: false }, command: "y", args: [] });
  });

  it("leaves everything else to commander (help, =-forms, unknown options, missing command or value)", () => {
    for (const argv of [["run", "--help"], ["run", "-h"], ["--help", "run"], ["run", "--only=a", "--", "x"], ["run", "--bogus", "--", "x"], ["run"], ["run", "--"], ["run", "--only"], ["run", "-f"], ["run", "--env-file=.env", "--", "x"], ["-V", "run", "x"], ["--json", "run", "x"], ["run", "--", ""], ["run", "--gateway", "--", "x"]]) {
      expect(parseRunArgs(argv), argv.join(" ")).toBeUndefined();
    }
  });
});

describe("hush run fast path against commander (differential property)", () => {
  type Captured = { command: string; args: string[]; flags: Record<string, unknown>; globals: Record<string, unknown> };

  /** What commander makes of `argv` with the real `run` definition (its action replaced by a capture). */
  async function commanderParse(argv: string[]): Promise<Captured | undefined> {
    let captured: Captured | undefined;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.resume();
    stderr.resume();
    const ctx: CliContext = { stdout, stderr, stdin: Readable.from([]), env: {}, exitCode: 0, color: false };
    const table: CommandEntry[] = [
      {
        name: "run",
        summary: "run",
        load: async () => ({
          register(program: Command, c: CliContext) {
            register(program, c);
            program.commands
              .find((x) => x.name() === "run")!
              .action((command: string, args: string[], flags: Record<string, unknown>, cmd: Command) => {
                // globalOptions() also carries run's own flags; runAction reads only these four.
                const { env, cwd, secretsDir, debug } = globalOptions(cmd);
                const globals = Object.fromEntries(Object.entries({ env, cwd, secretsDir, debug }).filter(([, v]) => v !== undefined));
                const { env: _e, cwd: _c, secretsDir: _s, debug: _d, ...runFlags } = flags;
                captured = { command, args, flags: runFlags, globals };
              });
          },
        }),
      },
    ];
    const code = await runProgram(argv, ctx, table);
    return code === 0 ? captured : undefined;
  }

  const before = fc.constantFrom(["-e", "prod"], ["--env", "dev"], ["-C", "/p"], ["--cwd", "/q"], ["--secrets-dir", "/s"], ["--debug"]);
  const after = fc.constantFrom(["--only", "a,b"], ["--clean-env"], ["--mask"], ["--no-mask"], ["--watch"], ["--strict"], ["--grace-ms", "10"], ["--debug"], ["-f", ".env.a"], ["--env-file", ".env.b"], ["-f", "--strict"], ["-e", "x"], ["-C", "/r"], ["--secrets-dir", "/t"]);
  const word = fc.constantFrom("-c", "--only", "--", "--mask", "a", "-e", "prod", "x y", "--help");
  const argvs = fc
    .tuple(fc.array(before, { maxLength: 3 }), fc.array(after, { maxLength: 4 }), fc.boolean(), fc.constantFrom("node", "sh", "./x.js"), fc.array(word, { maxLength: 4 }))
    .map(([b, a, dashdash, command, args]) => [...b.flat(), "run", ...a.flat(), ...(dashdash ? ["--"] : []), command, ...args]);

  it("whatever the fast path accepts, commander parses the same way", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(argvs, async (argv) => {
        const fast = parseRunArgs(argv);
        if (fast === undefined) return; // commander parses it: nothing to compare
        accepted++;
        const slow = await commanderParse(argv);
        expect(slow, argv.join(" ")).toBeDefined();
        const defaults = { graceMs: "5000" };
        expect({ ...fast, flags: { ...defaults, ...fast.flags } }, argv.join(" ")).toEqual({ command: slow!.command, args: slow!.args, flags: { ...defaults, ...slow!.flags }, globals: slow!.globals });
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(300); // the comparison really ran
  });
});
