/**
 * Typed flags: a command builds a library call's options as `Mapped<Options>`, which names
 * every option of the library function, so a new option does not compile until the CLI maps
 * it, to a flag or to `undefined` on purpose (vitest's `cli-config.ts` is the model).
 */
import type { ProjectOptions } from "../index.js";
import type { CliContext, GlobalOptions } from "./context.js";

/** Every option of `T`, each given (possibly as `undefined`). */
export type Mapped<T> = { [K in keyof Required<T>]: T[K] | undefined };

/** The project options from the global flags (`--cwd`, `--env`, `--secrets-dir`) and the context (the audit actor's command: `hush <command>`). */
export function projectOptions(g: GlobalOptions, ctx: CliContext, onWarning: (message: string) => void): Mapped<ProjectOptions> {
  const onDebug = g.debug ? (m: string) => void ctx.stderr.write(`hush: debug: ${m}\n`) : undefined;
  return { cwd: g.cwd, environment: g.env, secretsDir: g.secretsDir, env: ctx.env, onWarning, onDebug, loaded: undefined, actor: { command: ctx.command ? `hush ${ctx.command}` : "hush" } };
}
