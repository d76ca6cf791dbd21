/**
 * Reads a secret value for `hush set`: from `--from-file`, from stdin when it is piped, or from
 * a hidden prompt on a TTY. Never from argv (shell history and `ps` would keep it).
 */
import { readFileSync } from "node:fs";
import { HushError } from "../index.js";
import type { CliContext } from "./context.js";

/** Largest value accepted from stdin or a file. */
const MAX_VALUE_BYTES = 64 * 1024 * 1024;

export interface ReadValueOptions {
  fromFile?: string;
  /** Keep one trailing newline (by default one trailing `\n` or `\r\n`, as `echo` adds, is dropped). */
  keepNewline?: boolean;
  prompt: string;
}

export async function readSecretValue(ctx: CliContext, options: ReadValueOptions): Promise<string> {
  let raw: Buffer;
  if (options.fromFile !== undefined) {
    try {
      raw = options.fromFile === "-" ? await readAll(ctx.stdin) : readFileSync(options.fromFile);
    } catch (e) {
      throw new HushError("READ_FAILED", `Cannot read the value file ${options.fromFile}.`, { cause: e });
    }
  } else if (ctx.stdin.isTTY) {
    return promptHidden(ctx, options.prompt);
  } else {
    raw = await readAll(ctx.stdin);
  }
  if (raw.length > MAX_VALUE_BYTES) throw new HushError("LIMIT_EXCEEDED", `The value is larger than ${MAX_VALUE_BYTES} bytes.`);
  const text = raw.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(raw)) throw new HushError("INVALID_VALUE", "The value is not valid UTF-8; store binary data base64-encoded.");
  return options.keepNewline ? text : text.replace(/\r?\n$/, "");
}

// --- internal ---

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_VALUE_BYTES) throw new HushError("LIMIT_EXCEEDED", `The value is larger than ${MAX_VALUE_BYTES} bytes.`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * A hidden prompt with node:readline on the TTY: nothing is echoed. Written here rather than
 * with @inquirer/password because the maintained versions of that package need Node 22+.
 */
async function promptHidden(ctx: CliContext, prompt: string): Promise<string> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  // Mute echo: readline writes typed characters through _writeToOutput.
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  ctx.stderr.write(prompt);
  muted._writeToOutput = () => undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question("", (answer) => resolve(answer));
      rl.on("SIGINT", () => reject(new HushError("INVALID_ARGUMENT", "Cancelled; nothing was stored.")));
    });
  } finally {
    rl.close();
    ctx.stderr.write("\n");
  }
}
