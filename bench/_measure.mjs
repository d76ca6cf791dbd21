// Shared benchmark helpers: interleaved rounds, medians, a table printer.

/** Median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs each case `rounds` times, interleaved (a, b, c, b, c, a, ...) so drift hits all
 * alike; each case returns the seconds one batch took and the ops in it. Returns ops/s medians.
 */
export async function interleave(cases, { rounds = 21, warmup = 3 } = {}) {
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const entries = Object.entries(cases);
  for (let r = 0; r < warmup + rounds; r++) {
    // Rotate the order each round, and collect garbage before each batch when allowed
    // (node --expose-gc), so one case's garbage is not paid for by the case after it.
    for (let j = 0; j < entries.length; j++) {
      const [name, fn] = entries[(r + j) % entries.length];
      globalThis.gc?.();
      const { seconds, ops } = await fn();
      if (r >= warmup) samples[name].push(ops / seconds);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Times `fn` run `n` times (sync or async); returns { seconds, ops }. */
export async function timeLoop(n, fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ops: n };
}

/** Prints a table of rows (arrays of strings). */
export function printTable(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  console.log(header.map((h, i) => h.padEnd(widths[i])).join("  "));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join("  "));
}

export const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1));
