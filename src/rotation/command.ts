/**
 * The `command` rotator: the user's own scripts apply, test and revoke the value in a system hush
 * does not know. Each is run through the shell (`sh -c`, from the project folder); the value goes
 * to it on **stdin only** (the new value for `set` and `test`, the old one for `revoke`), never in
 * argv or the environment. The environment gets `HUSH_ROTATE_STEP` and `HUSH_ROTATE_NAME` (names,
 * no values). A non-zero exit fails the step. The new value is made by the `create` command (its
 * stdout, one trailing newline dropped), else drawn at random as the `random` rotator does.
 *
 * ```yaml
 * secrets:
 *   api_token:
 *     rotator: { type: command, set: ./ops/set-token.sh, test: ./ops/test-token.sh, revoke: ./ops/revoke-token.sh }
 * ```
 *
 * The scripts' stderr is passed through to hush's stderr (for the person); what a script prints
 * there is its own responsibility. Their stdout is discarded, except `create`'s.
 */
import { spawn } from "node:child_process";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { createRandomRotator } from "./random.js";
import { defineRotatorType, type Rotator, type RotatorContext } from "./rotator.js";

/** Options of the `command` rotator. */
export interface CommandRotatorOptions {
  /** Prints the new value on stdout. @default none: a random 40-character base62 value */
  create?: string;
  /** Applies the new value (stdin) in the target. @default none */
  set?: string;
  /** Exits 0 when the new value (stdin) works. @default none */
  test?: string;
  /** Invalidates the old value (stdin) after the grace period. @default none */
  revoke?: string;
  /** Longest a command may run, in seconds. @default 120 */
  timeoutSeconds: number;
}

const schema = {
  create: option.string({ description: "shell command that prints the new value on stdout (default: a random value)" }),
  set: option.string({ description: "shell command that applies the new value, given on stdin" }),
  test: option.string({ description: "shell command that exits 0 when the new value (stdin) works" }),
  revoke: option.string({ description: "shell command that invalidates the old value, given on stdin" }),
  timeoutSeconds: option.integer({ min: 1, max: 3600, default: 120, description: "longest a command may run" }),
};

/** The `command` rotator type. */
export const commandRotatorType = defineRotatorType({
  type: "command",
  summary: "your own scripts set, test and revoke the value (given on stdin, never argv or env)",
  options: schema,
  create: (options, context) => createCommandRotator(options, context),
});

/** A rotator that runs the given commands; see the module comment. */
export function createCommandRotator(options: CommandRotatorOptions, context: Pick<RotatorContext, "name" | "root" | "env">): Rotator {
  const run = (step: string, command: string, stdin: string, keepStdout = false) => runStep(step, command, stdin, keepStdout, options.timeoutSeconds * 1000, context);
  const fallback = createRandomRotator({ length: 40, alphabet: "base62" });
  const rotator: Rotator = {
    create: async (current) => {
      if (!options.create) return fallback.create(current);
      const made = (await run("create", options.create, "", true)).replace(/\r?\n$/, "");
      if (made === "") throw new HushError("INVALID_VALUE", `The create command of "${context.name}" printed no value.`, { secret: context.name });
      return made;
    },
  };
  if (options.set) rotator.set = async ({ value }) => void (await run("set", options.set!, value));
  if (options.test) rotator.test = async ({ value }) => void (await run("test", options.test!, value));
  if (options.revoke) rotator.revoke = async ({ value }) => void (await run("revoke", options.revoke!, value));
  return rotator;
}

// --- internal ---

/** Runs `command` with `stdin` on its standard input; resolves its stdout (when kept) on exit 0. */
function runStep(step: string, command: string, stdin: string, keepStdout: boolean, timeoutMs: number, context: Pick<RotatorContext, "name" | "root" | "env">): Promise<string> {
  const env = { ...(context.env ?? process.env), HUSH_ROTATE_STEP: step, HUSH_ROTATE_NAME: context.name };
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { cwd: context.root, env, stdio: ["pipe", keepStdout ? "pipe" : "ignore", "inherit"], timeout: timeoutMs, killSignal: "SIGKILL" });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => chunks.push(c));
    child.stdin!.on("error", () => undefined); // a script that does not read stdin closes it early
    child.stdin!.end(stdin);
    child.on("error", (e) => reject(new HushError("SPAWN_FAILED", `The ${step} command of "${context.name}" could not be started.`, { cause: e, secret: context.name })));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(chunks).toString("utf8"));
      const how = signal ? `was stopped by ${signal}${signal === "SIGKILL" ? " (timeout?)" : ""}` : `exited with code ${code}`;
      reject(new HushError("ROTATION_FAILED", `The ${step} command of "${context.name}" ${how}; its output is not shown here.`, { secret: context.name }));
    });
  });
}
