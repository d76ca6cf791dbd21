/** Types of check-size.mjs, for test/meta/size.test.ts. */

/** Longest allowed file in src/, in lines. */
export const MAX_FILE_LINES: number;
/** Longest allowed function, in lines from its first to its last line. */
export const MAX_FUNCTION_LINES: number;
/** `path` or `path#function` -> why it may stay over the limit. */
export const ALLOWED: Readonly<Record<string, string>>;

/** One file or function over its limit: `where` is `src/...ts` or `src/...ts#name`. */
export interface Oversized {
  where: string;
  lines: number;
  limit: number;
}

/** Every offender under `root`/src (root is the repository). */
export function findOversized(root: string): Oversized[];

/** ALLOWED entries that name no offender in `found` any more (to be removed from the list). */
export function unusedAllowed(found: readonly Oversized[]): string[];
