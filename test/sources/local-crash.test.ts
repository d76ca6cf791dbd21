/**
 * Crash test of the local store (FAULTS 9, 11): four processes write to one store at once,
 * each printing "ack <name> <value>" only after set() resolved; the parent SIGKILLs random
 * writers (32 kills, respawning each one, each kill landing in a writer that is already in its write loop) and then checks that the store opens (no torn
 * store) and holds every acknowledged write (no lost write).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { readLockHolder } from "../../src/fs/lock.js";
import { bundleForChild } from "../helpers/bundle.js";

const WRITERS = 4;
const KILLS = 32;

let root: string;
let writerScript: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "hush-crash-"));
  writerScript = await bundleForChild("test/helpers/crash-writer.ts", root, "crash-writer");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Writer {
  child: ChildProcess;
  generation: number;
  exited: Promise<void>;
  /** Acknowledgements of this generation. The kill is timed from the first one, so it lands inside the write loop, not in node's start-up. */
  acks: number;
}

it(`${WRITERS} writers, ${KILLS} SIGKILLs: 0 torn stores, 0 lost acknowledged writes`, async () => {
  const secretsDir = join(root, ".secrets");
  const parent = createLocalSource({ secretsDir, lockTimeoutMs: 30_000 });
  await parent.set("created_by_parent", "p");

  /** name -> last acknowledged value, for the one-write-per-name entries. */
  const ackedUnique = new Map<string, string>();
  /** writer -> [generation, index] of its last acknowledged write of `w<id>_latest`. */
  const ackedLatest = new Map<number, [number, number]>();
  let acks = 0;

  // eslint-disable-next-line prefer-const -- assigned below; `start` and `killLater` call each other
  let killLater: (id: number) => void;
  const start = (id: number, generation: number): Writer => {
    const child = spawn(process.execPath, [writerScript, secretsDir, String(id), String(generation)], { stdio: ["ignore", "pipe", "pipe"] });
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop()!; // an incomplete line is not an acknowledgement (yet)
      for (const line of lines) {
        const [, name, value] = line.split(" ");
        acks++;
        if (++writer.acks === 1) killLater(id);
        if (name!.endsWith("_latest")) {
          const [, , g, i] = value!.split("-").map(Number);
          ackedLatest.set(id, [g!, i!]);
        } else ackedUnique.set(name!, value!);
      }
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) =>
      child.once("exit", (code, signal) => {
        // A writer only ever ends by our SIGKILL; anything else is a failure of the store.
        if (signal !== "SIGKILL") console.error(`writer ${id} ended with ${code ?? signal}: ${stderr.slice(0, 2000)}`);
        resolve();
      }),
    );
    const writer: Writer = { child, generation, exited, acks: 0 };
    return writer;
  };

  const writers: Writer[] = [];
  let kills = 0;
  let killsHoldingLock = 0;
  let allKilled!: () => void;
  const done = new Promise<void>((r) => (allKilled = r));
  /** Kills writer `id` at a random moment of its write loop, then starts its next generation. */
  killLater = (id: number) => {
    setTimeout(async () => {
      const w = writers[id]!;
      if (kills >= KILLS) return;
      kills++;
      if (readLockHolder(join(secretsDir, "dev.lock"))?.pid === w.child.pid) killsHoldingLock++;
      w.child.kill("SIGKILL");
      await w.exited;
      if (kills >= KILLS) allKilled();
      else writers[id] = start(id, w.generation + 1);
    }, randomInt(0, 400));
  };
  for (let id = 0; id < WRITERS; id++) writers.push(start(id, 0));
  await done;
  for (const w of writers) w.child.kill("SIGKILL");
  await Promise.all(writers.map((w) => w.exited));

  const tempsBefore = readdirSync(secretsDir).filter((n) => n.includes(".store.tmp-")).length;
  // The store opens (a fresh source: nothing cached), and every acknowledged write is there.
  const reader = createLocalSource({ secretsDir, lockTimeoutMs: 30_000 });
  let torn = 0;
  let names: string[] = [];
  try {
    names = await reader.list();
  } catch (e) {
    torn = 1;
    console.error("the store does not open:", e);
  }
  let lost = 0;
  for (const [name, value] of ackedUnique) if ((await reader.get(name))?.value !== value) lost++;
  for (const [id, [g, i]] of ackedLatest) {
    const [, , sg, si] = ((await reader.get(`w${id}_latest`))?.value ?? "value-x--1--1").split("-").map(Number);
    if (sg! < g || (sg === g && si! < i)) lost++; // older than the last acknowledged write
  }
  const temps = readdirSync(secretsDir).filter((n) => n.includes(".tmp-"));
  console.log(`crash test: ${kills} kills (${killsHoldingLock} while the victim held the lock), ${acks} acknowledged writes (${ackedUnique.size} new names, ${names.length} names in store), torn stores: ${torn}, lost acknowledged writes: ${lost}, temp files of killed writers: ${tempsBefore} before open, ${temps.length} after`);

  expect({ torn, lost }).toEqual({ torn: 0, lost: 0 });
  expect(acks).toBeGreaterThan(0);
  expect(temps).toEqual([]);
  // A dead writer's lock does not block the next writer.
  expect((await reader.set("after_crashes", "ok")).value).toBe("ok");
  await parent.dispose();
  await reader.dispose();
}, 180_000);
