// Cost per rule of the scanner's detector, in process, on texts already in memory (no walk,
// no reads). Used by scan.bench.mjs.
//
// The detector is bundled from src/scan/ with esbuild (it is not a public export), so the
// figures are those of the working tree's source, not of dist/.
//
// Two measures:
// - whole passes, by subtraction: the detector's loop with no rule; with one rule whose keyword
//   never occurs (the keyword automaton over every character, as the full detector runs it);
//   with all rules; with all rules and 0, 10 and 1,000 managed values; and the managed pass
//   alone (managed values and no rule, so no keyword automaton; minus the loop with nothing).
// - each rule's own work, instrumented: the keyword hits of every text are found once, then,
//   rule by rule, its regex runs as the detector runs it (sticky at each hit of an anchored
//   rule, over the whole text of a file holding a keyword otherwise, over every file for a rule
//   without keywords) and its checks (`acceptMatch`) on each match. That time is the rule's
//   cost; a subtraction of two full passes would drown a rule's few milliseconds in the noise.
import { build } from "esbuild";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

/** Bundles what the measure needs from `root`/src/scan into `outFile`; returns the module. */
export async function loadDetector(root, outFile) {
  await build({
    stdin: {
      contents: [
        `export { createDetector } from "./detect.js";`,
        `export { compileLiterals } from "./matcher.js";`,
        `export { PATTERN_RULES } from "./rules.js";`,
        `export { acceptMatch } from "./validate.js";`,
      ].join("\n"),
      resolveDir: join(root, "src", "scan"),
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: outFile,
    logLevel: "warning",
  });
  return import(`${outFile}?t=${Date.now()}`);
}

/** A rule that never runs its regex: its keyword does not occur in text. */
const NEVER = { id: "never", description: "never", keywords: ["\u0001\u0002never\u0003"], anchored: true, pattern: "\u0001\u0002never\u0003" };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `fn` once untimed, then `rounds` times; median CPU and wall (ms), and fn's last result. */
function timeIt(fn, rounds, samples) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const du = process.cpuUsage(cpu0);
  samples.cpu.push((du.user + du.system) / 1000);
  samples.wall.push(wall);
  samples.result = result;
}

/**
 * Measures whole passes (interleaved round by round, one warm-up round) and each rule's own
 * work; medians of `rounds`.
 */
export function measureRuleCost(mod, texts, { rounds = 3, managedCounts = [0, 10, 1000] } = {}) {
  const { createDetector, PATTERN_RULES } = mod;
  const detectAll = (d) => () => texts.reduce((n, t) => n + d.detect(t).length, 0);
  const passes = [
    { key: "empty", fn: detectAll(createDetector({ rules: [] })) },
    { key: "keywords", fn: detectAll(createDetector({ rules: [NEVER] })) },
    { key: "all", fn: detectAll(createDetector()) },
  ];
  for (const n of managedCounts) {
    const values = Array.from({ length: n }, (_, i) => [`bench_secret_${i}`, randomBytes(24).toString("base64url")]);
    // No rule at all: the keyword automaton does not run, so this is the managed pass alone.
    passes.push({ key: `managed:${n}`, fn: detectAll(createDetector({ managedValues: values, rules: [] })) });
    passes.push({ key: `all+managed:${n}`, fn: detectAll(createDetector({ managedValues: values })) });
  }
  const plan = keywordPlan(mod, texts);
  const ruleRuns = PATTERN_RULES.map((rule, ri) => ({ key: `rule:${rule.id}`, fn: () => runRule(mod, rule, ri, texts, plan) }));
  const all = [...passes, ...ruleRuns];
  const samples = new Map(all.map((c) => [c.key, { cpu: [], wall: [], result: 0 }]));
  for (let r = -1; r < rounds; r++) {
    // A different order each round, so no configuration always runs right after the same one.
    const order = all.map((c, i) => all[(i + Math.max(0, r) * 7) % all.length]);
    for (const c of order) {
      const s = r < 0 ? { cpu: [], wall: [] } : samples.get(c.key);
      timeIt(c.fn, rounds, s);
    }
  }
  const fig = (key) => ({ cpu: median(samples.get(key).cpu), wall: median(samples.get(key).wall), findings: samples.get(key).result });
  const base = fig("keywords");
  const rules = PATTERN_RULES.map((r, ri) => {
    const f = fig(`rule:${r.id}`);
    return { id: r.id, keywords: r.keywords.length, anchored: r.anchored === true, hits: plan.hits[ri], files: plan.files[ri], cpu: f.cpu, wall: f.wall, findings: f.findings };
  }).sort((a, b) => b.cpu - a.cpu);
  const managed = managedCounts.map((n) => ({ n, pass: fig(`managed:${n}`).cpu - fig("empty").cpu, all: fig(`all+managed:${n}`) }));
  return { empty: fig("empty"), keywords: base, all: fig("all"), rules, managed, keywordCount: plan.keywordCount };
}

/** The keyword hits of each text, found once: per text, per rule index, the hits' start offsets. */
function keywordPlan({ compileLiterals, PATTERN_RULES }, texts) {
  // As detect.ts keys them: a case-insensitive keyword is another literal than the same text matched exactly.
  const keyOf = (r, k) => (r.keywordsIgnoreCase ? "i" : "s") + k;
  const keys = [...new Set(PATTERN_RULES.flatMap((r) => r.keywords.map((k) => keyOf(r, k))))];
  const keywords = keys.map((k) => k.slice(1));
  const rulesOf = keys.map((key) => PATTERN_RULES.flatMap((r, ri) => (r.keywords.some((k) => keyOf(r, k) === key) ? [ri] : [])));
  const m = compileLiterals(keywords, keys.map((k) => k[0] === "i"));
  const hits = PATTERN_RULES.map((r) => (r.keywords.length === 0 ? "every file" : 0));
  const files = PATTERN_RULES.map((r) => (r.keywords.length === 0 ? texts.length : 0));
  const perText = texts.map((t) => {
    const starts = new Map();
    m.run(t, (k, end) => {
      for (const ri of rulesOf[k]) {
        if (!starts.has(ri)) {
          starts.set(ri, []);
          files[ri]++;
        }
        starts.get(ri).push(end - keywords[k].length);
        hits[ri]++;
      }
    });
    return starts;
  });
  return { perText, hits, files, keywordCount: keywords.length };
}

/** Rule `ri`'s work over every text, as detect.ts does it; returns the matches its checks accept. */
function runRule({ acceptMatch }, rule, ri, texts, plan) {
  const re = new RegExp(rule.pattern, (rule.anchored ? "y" : "g") + (rule.flags ?? ""));
  let accepted = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    const starts = plan.perText[i].get(ri);
    if (rule.keywords.length > 0 && starts === undefined) continue;
    if (rule.anchored) {
      // nonOverlapping (generic-secret): hits in order, none inside the previous match, as detect.ts runs them.
      let resume = 0;
      for (const at of rule.nonOverlapping ? [...new Set(starts)].sort((a, b) => a - b) : starts) {
        if (at < resume) continue;
        re.lastIndex = at;
        const m = re.exec(text);
        if (m && rule.nonOverlapping) resume = at + Math.max(1, m[0].length);
        if (m && acceptMatch(rule, m, text) !== undefined) accepted++;
      }
    } else {
      re.lastIndex = 0;
      let m;
      while ((m = re.exec(text)) !== null) if (acceptMatch(rule, m, text) !== undefined) accepted++;
    }
  }
  return accepted;
}
