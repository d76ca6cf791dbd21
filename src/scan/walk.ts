/**
 * The walk: lists the regular files under the given roots. It honours `.gitignore` files
 * (nested ones too, each relative to its folder), `.hushignore` and the config's path
 * allow-list, never enters `.git`, and never follows a symlinked directory, so a symlink
 * loop cannot trap it. A symlinked file is scanned once (by real path). Unreadable folders
 * become issues, never failures.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { createIgnore, readIfExists, type Ignore } from "./allow.js";
import type { ScanIssue } from "./types.js";

/** One file to scan. */
export interface WalkedFile {
  absolute: string;
  /** Relative to the scan's cwd, `/`-separated. */
  path: string;
  /** Size from the walk, or -1 when it is learnt on reading (saves a stat per file). */
  size: number;
}

/** Options of {@link walkFiles}. */
export interface WalkOptions {
  cwd: string;
  roots: string[];
  /** Honour `.gitignore` files. */
  gitignore: boolean;
  /** Paths (relative to cwd) never scanned: `.hushignore` + config; undefined when there are none. */
  pathAllow?: Ignore;
}

/** What {@link walkFiles} returns. */
export interface WalkResult {
  files: WalkedFile[];
  issues: ScanIssue[];
  skippedIgnored: number;
  skippedSymlinks: number;
}

/** Lists the files to scan. */
export function walkFiles(options: WalkOptions): WalkResult {
  const state: State = { files: [], issues: [], skippedIgnored: 0, skippedSymlinks: 0, seen: new Set(), links: [] };
  for (const root of options.roots) {
    const absolute = resolve(options.cwd, root);
    let st;
    try {
      st = statSync(absolute);
    } catch (e) {
      state.issues.push(issueOf(options.cwd, absolute, e));
      continue;
    }
    if (st.isDirectory()) walkDir(options, state, absolute, realOrSelf(absolute), toRel(options.cwd, absolute), []);
    else if (st.isFile()) addFile(options, state, absolute, st.size, true);
    else state.issues.push({ path: toRel(options.cwd, absolute), code: "NOT_A_FILE", message: "not a regular file or directory; skipped" });
  }
  // Symlinked files last, so a link to a file the walk also reaches directly is dropped.
  for (const link of state.links) addFile(options, state, link.absolute, link.size, true);
  return { files: state.files, issues: state.issues, skippedIgnored: state.skippedIgnored, skippedSymlinks: state.skippedSymlinks };
}

/** Path of `absolute` relative to `cwd`, with `/` separators. */
export function toRel(cwd: string, absolute: string): string {
  const r = relative(cwd, absolute) || ".";
  return sep === "/" ? r : r.split(sep).join("/");
}

// --- internal ---

interface Layer {
  /** Path of the folder holding the .gitignore, relative to cwd ("." for cwd). */
  rel: string;
  ig: Ignore;
}

/** `seen`: real paths of files taken; `links`: symlinked files, added after the walk. */
type State = WalkResult & { seen: Set<string>; links: { absolute: string; size: number }[] };

/**
 * `rel` is `dir` relative to cwd and `real` its real path; children's are built by
 * concatenation (no path.relative or realpath per file).
 */
function walkDir(options: WalkOptions, state: State, dir: string, real: string, rel: string, layers: Layer[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    state.issues.push(issueOf(options.cwd, dir, e));
    return;
  }
  let here = layers;
  if (options.gitignore && entries.some((e) => e.name === ".gitignore")) {
    const text = readIfExists(join(dir, ".gitignore"));
    if (text !== undefined) here = [...layers, { rel, ig: createIgnore().add(text) }];
  }
  for (const entry of entries) {
    const absolute = dir + sep + entry.name; // dir is absolute and normalized: no path.join per entry
    const childRel = rel === "." ? entry.name : `${rel}/${entry.name}`;
    if (entry.name === ".git" && entry.isDirectory()) continue;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    let size = -1;
    if (entry.isSymbolicLink()) {
      try {
        const st = statSync(absolute);
        isDir = st.isDirectory();
        isFile = st.isFile();
        size = st.size;
      } catch (_e) {
        // A dangling link points at nothing to scan.
        state.skippedSymlinks++;
        continue;
      }
      if (isDir) {
        // Never follow a symlinked directory: that is how loops happen.
        state.skippedSymlinks++;
        continue;
      }
    }
    if (!isDir && !isFile) continue; // FIFOs, sockets, devices: reading one could block.
    if (isIgnored(options, here, childRel, isDir)) {
      state.skippedIgnored++;
      continue;
    }
    if (isDir) walkDir(options, state, absolute, real + sep + entry.name, childRel, here);
    else if (entry.isSymbolicLink()) state.links.push({ absolute, size });
    else {
      const childReal = real + sep + entry.name;
      if (state.seen.has(childReal)) continue;
      state.seen.add(childReal);
      state.files.push({ absolute, path: childRel, size }); // size is read with the file (one fstat)
    }
  }
}

function isIgnored(options: WalkOptions, layers: Layer[], rel: string, isDir: boolean): boolean {
  const slash = isDir ? "/" : "";
  if (options.pathAllow && !rel.startsWith("../") && options.pathAllow.ignores(rel + slash)) return true;
  for (const layer of layers) {
    const inLayer = layer.rel === "." ? rel : rel.slice(layer.rel.length + 1);
    if (layer.ig.ignores(inLayer + slash)) return true;
  }
  return false;
}

/** For roots and symlinked files: dedupe by real path, so a file reached twice is scanned once. */
function addFile(options: WalkOptions, state: State, absolute: string, size: number, resolveReal: boolean): void {
  let real = absolute;
  try {
    if (resolveReal) real = realpathSync(absolute);
    if (size < 0) size = statSync(absolute).size;
  } catch (e) {
    state.issues.push(issueOf(options.cwd, absolute, e));
    return;
  }
  if (state.seen.has(real)) return;
  state.seen.add(real);
  state.files.push({ absolute, path: toRel(options.cwd, absolute), size });
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch (_e) {
    // Only used to dedupe; the walk reports unreadable folders itself.
    return path;
  }
}

function issueOf(cwd: string, absolute: string, e: unknown): ScanIssue {
  const code = typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : "UNKNOWN";
  return { path: toRel(cwd, absolute), code, message: `could not be read (${code}); skipped` };
}
