/**
 * Full jitter for retry and reconnect waits: a uniform random wait in [0, ceilingMs). From
 * `node:crypto` (the project's one source of randomness), though a wait is no secret.
 */
import { randomInt } from "node:crypto";

/** A random whole number of milliseconds from 0 to `ceilingMs` (exclusive; 0 when `ceilingMs` < 1). */
export function jitterMs(ceilingMs: number): number {
  const ceiling = Math.floor(ceilingMs);
  return ceiling < 1 ? 0 : randomInt(ceiling);
}

/** A promise that resolves after `jitterMs(ceilingMs)`. */
export function sleepJitter(ceilingMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, jitterMs(ceilingMs)));
}

/** A uniform random number in [0, 1) with 24 bits, from `node:crypto`. */
export function randomUnit(): number {
  return randomInt(0x1000000) / 0x1000000;
}
