// A child program for the `hush run` tests. Modes:
//   env NAME...            print {"NAME": value | null, ...} as JSON on stdout
//   wait FILE              write {"pid","ppid"} to FILE, then wait; on SIGINT/SIGTERM/SIGHUP append
//                          the signal's name to FILE.sig and die of that signal
//   stdin                  copy stdin to stdout, upper-cased
//   split NAME             write $NAME to stdout in two writes 50 ms apart (split mid-value), and
//                          each line of $NAME to stderr, then exit 0
//   record NAME FILE       append $NAME and a newline to FILE and write the pid to FILE.pid, then
//                          wait; exit 0 on SIGTERM
//   touch FILE             create FILE (proves that the child ran)
import { appendFileSync, writeFileSync } from "node:fs";

const [mode, ...rest] = process.argv.slice(2);
const wait = () => setInterval(() => {}, 1 << 30);

if (mode === "env") {
  process.stdout.write(JSON.stringify(Object.fromEntries(rest.map((n) => [n, process.env[n] ?? null]))) + "\n");
} else if (mode === "wait") {
  const [file] = rest;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      appendFileSync(`${file}.sig`, signal + "\n");
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    });
  }
  writeFileSync(file, JSON.stringify({ pid: process.pid, ppid: process.ppid }));
  wait();
} else if (mode === "stdin") {
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => process.stdout.write(Buffer.concat(chunks).toString("utf8").toUpperCase()));
} else if (mode === "split") {
  const value = process.env[rest[0]] ?? "";
  const cut = Math.floor(value.length / 2);
  process.stdout.write(`before ${value.slice(0, cut)}`);
  setTimeout(() => {
    process.stdout.write(`${value.slice(cut)} after\n`);
    for (const line of value.split("\n")) process.stderr.write(`line: ${line}\n`);
  }, 50);
} else if (mode === "record") {
  const [name, file] = rest;
  // The handler goes first: a test signals as soon as it sees the line, and a SIGTERM that came
  // between the write and the handler would kill the child (exit 143) instead of exiting 0.
  process.on("SIGTERM", () => process.exit(0));
  writeFileSync(`${file}.pid`, String(process.pid));
  appendFileSync(file, (process.env[name] ?? "<unset>") + "\n");
  wait();
} else if (mode === "touch") {
  writeFileSync(rest[0], "ran\n");
} else {
  process.stderr.write(`run-child: unknown mode ${mode}\n`);
  process.exitCode = 64;
}
