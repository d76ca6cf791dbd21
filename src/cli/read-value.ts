/**
 * Reads a secret value for `hush set`: from `--from-file`, from stdin when it is piped, or from
 * a hidden prompt on a TTY. Never from argv (shell history and `ps` would keep it).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
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
      raw = options.fromFile === "-" ? await readAll(ctx.stdin) : readRegularFile(options.fromFile);
    } catch (e) {
      if (e instanceof HushError) throw e;
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

/**
 * A `--from-file` value: opened O_NONBLOCK (a FIFO cannot hang hush), then refused unless the
 * open file is a regular file within the size limit (`/dev/zero` would read without bound).
 */
function readRegularFile(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HushError("READ_FAILED", `The value file ${path} is not a regular file (a FIFO or device?); use --from-file - to read a stream from stdin.`);
    if (st.size > MAX_VALUE_BYTES) throw new HushError("LIMIT_EXCEEDED", `The value file ${path} is larger than ${MAX_VALUE_BYTES} bytes.`);
    const buffer = Buffer.alloc(st.size + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

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
