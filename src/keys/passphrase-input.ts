/**
 * Where a passphrase comes from: `HUSH_PASSPHRASE` in the environment hush was given, else a
 * hidden prompt on the terminal. Never argv (shell history and `ps` keep it). Without either,
 * a clear error says how to give one: hush never goes on without it, and never makes a key.
 */
import { HushError } from "../errors.js";

/** The variable read for a passphrase. `hush run` never passes it to the child. */
export const PASSPHRASE_VARIABLE = "HUSH_PASSPHRASE";

/** Options of {@link obtainPassphrase}. */
export interface ObtainPassphraseOptions {
  /** The process environment to read `HUSH_PASSPHRASE` from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The prompt's words: `Passphrase for the prod key: `. */
  prompt: string;
  /** Ask twice and compare (a new passphrase: a typo would lock the key away). @default false */
  confirm?: boolean;
  /** The terminal; tests give a fake one. @default process.stdin / process.stderr */
  tty?: { input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream };
}

/**
 * The passphrase: `HUSH_PASSPHRASE`, else a hidden prompt when stdin is a terminal. Throws
 * INVALID_ARGUMENT when neither is there, or when the two typings differ.
 */
export async function obtainPassphrase(options: ObtainPassphraseOptions): Promise<string> {
  const fromEnv = (options.env ?? process.env)[PASSPHRASE_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const tty = options.tty ?? { input: process.stdin, output: process.stderr };
  if (!tty.input.isTTY) {
    throw new HushError("INVALID_ARGUMENT", `A passphrase is needed and there is no terminal to ask it on.`, {
      hint: `Set ${PASSPHRASE_VARIABLE} in the environment (never on the command line), or run the command in a terminal.`,
    });
  }
  // One reader for both prompts: a line typed ahead (both typings in one read) is kept for the
  // second prompt, where a reader per prompt lost it and the confirmation waited forever.
  const lines = await hiddenLines(tty);
  try {
    const first = await lines.ask(options.prompt);
    if (first === "") throw new HushError("INVALID_ARGUMENT", "The passphrase is empty.", { hint: "Type a passphrase at the prompt." });
    if (options.confirm) {
      const second = await lines.ask("Type it again: ");
      if (second !== first) throw new HushError("INVALID_ARGUMENT", "The two passphrases differ; nothing was changed.", { hint: "Run the command again and type the same passphrase twice." });
    }
    return first;
  } finally {
    lines.close();
  }
}

// --- internal ---

/**
 * Hidden prompts with node:readline whose echo is muted (as src/cli/read-value.ts does for
 * values). Lines typed before their prompt are queued, not dropped.
 */
async function hiddenLines(tty: NonNullable<ObtainPassphraseOptions["tty"]>): Promise<{ ask(prompt: string): Promise<string>; close(): void }> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: tty.input, output: tty.output, terminal: true });
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  const typed: string[] = [];
  let waiting: { resolve(line: string): void; reject(e: HushError): void } | undefined;
  let failure: HushError | undefined;
  const fail = (e: HushError): void => {
    failure ??= e;
    waiting?.reject(failure);
    waiting = undefined;
  };
  rl.on("line", (line: string) => {
    if (waiting) waiting.resolve(line);
    else typed.push(line);
    waiting = undefined;
  });
  rl.on("SIGINT", () => fail(new HushError("INVALID_ARGUMENT", "Cancelled at the passphrase prompt; nothing was changed.")));
  rl.on("close", () => fail(new HushError("INVALID_ARGUMENT", "The terminal closed before a passphrase was typed; nothing was changed.")));
  return {
    ask(prompt) {
      tty.output.write(prompt);
      const answered = (): void => void tty.output.write("\n");
      const next = typed.shift();
      if (next !== undefined) return Promise.resolve(next).finally(answered);
      if (failure) return Promise.reject(failure).finally(answered);
      return new Promise<string>((resolve, reject) => (waiting = { resolve, reject })).finally(answered);
    },
    close: () => rl.close(),
  };
}
