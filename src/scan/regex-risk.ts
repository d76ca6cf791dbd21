/**
 * A cheap warning for configured regexes that JavaScript's backtracking engine may run in
 * exponential time: a group repeated without bound that itself holds an unbounded repetition
 * (`(a+)+`, `(?:\w*-)*`). RE2 (gitleaks) is linear whatever the pattern; hush runs configured
 * regexes in V8. None of the 222 regexes of gitleaks' default config has this shape, so the
 * warning is rare and worth reading. A heuristic: it does not catch every slow pattern (overlapping
 * alternatives such as `(a|a)*` pass).
 */

/** True when `source` repeats without bound a group that holds an unbounded repetition. */
export function hasNestedRepetition(source: string): boolean {
  // Escapes and character classes are single atoms here.
  const s = source.replace(/\\./g, "_").replace(/\[(?:\\.|[^\]\\])*\]/g, "_");
  const stack: boolean[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "(") stack.push(false);
    else if (c === ")") {
      const unbounded = stack.pop() === true;
      if (unbounded && UNBOUNDED.test(s.slice(i + 1, i + 12))) return true;
      if (unbounded && stack.length > 0) stack[stack.length - 1] = true;
    } else if (stack.length > 0 && (c === "+" || c === "*" || (c === "{" && UNBOUNDED.test(s.slice(i, i + 12))))) stack[stack.length - 1] = true;
  }
  return false;
}

/** The warning for a rule whose regex has that shape. */
export function nestedRepetitionWarning(ruleId: string, from: string): string {
  return `scan rule ${ruleId} (${from}): its regex repeats without bound a group that itself repeats without bound (like (a+)+); JavaScript's regex engine can take exponential time on some lines (gitleaks' RE2 cannot). Bound the repetitions ({0,64}).`;
}

// --- internal ---

const UNBOUNDED = /^(?:[+*]|\{\d+,\})/;
