/**
 * `secrets.NAME.rotator` of hush.yaml: `{ type, ...options }`, the type known to the rotator
 * registry (src/rotation/registry.ts) and the options checked offline against its schema.
 * Problems carry paths (`secrets.db_password.rotator.length`) and never a value from the file.
 */
import { describeUnknownRotator, findRotatorType, listRotatorTypes } from "../rotation/registry.js";
import { isMapping, kindOf, parseOptions, type AddProblem, type ConfigPath } from "./options-schema.js";
import type { RotatorConfig } from "./types.js";

/** Checks one `rotator:` entry; returns it (options as written) when its type is a known one. */
export function checkRotator(raw: unknown, at: ConfigPath, add: AddProblem): RotatorConfig | undefined {
  if (!isMapping(raw)) {
    add(at, `expected a mapping such as \`{ type: random, length: 40 }\`, got ${kindOf(raw)}.`);
    return undefined;
  }
  const { type, ...options } = raw;
  if (typeof type !== "string") {
    add([...at, "type"], type === undefined ? `missing; one of ${listRotatorTypes().map((d) => d.type).join(", ")}.` : `expected a rotator type name, got ${kindOf(type)}.`);
    return undefined;
  }
  const descriptor = findRotatorType(type);
  if (!descriptor) {
    add([...at, "type"], describeUnknownRotator(type));
    return undefined;
  }
  parseOptions(descriptor.options, options, at, add);
  return { type, options };
}
