/**
 * Makes a rotator from `{ type, options }` (hush.yaml's `secrets.NAME.rotator`, or `--rotator`):
 * the type looked up in the registry, the options checked against its schema (defaults filled
 * in), then its factory called. Problems are INVALID_ARGUMENT naming paths, never values.
 */
import { HushError } from "../errors.js";
import { parseOptions } from "../config/options-schema.js";
import { formatPath } from "../config/validate.js";
import type { RotatorConfig } from "../config/types.js";
import { describeUnknownRotator, findRotatorType } from "./registry.js";
import type { Rotator, RotatorContext } from "./rotator.js";

/** The rotator `config` describes, made for `context`. */
export async function makeRotator(config: RotatorConfig, context: RotatorContext): Promise<Rotator> {
  const descriptor = findRotatorType(config.type);
  if (!descriptor) throw new HushError("INVALID_ARGUMENT", describeUnknownRotator(config.type), { secret: context.name });
  const problems: string[] = [];
  const options = parseOptions(descriptor.options, config.options, ["rotator"], (path, message) => problems.push(`${formatPath(path)}: ${message}`));
  if (problems.length > 0) throw new HushError("INVALID_ARGUMENT", `The ${config.type} rotator's options are not valid: ${problems.join("; ")}`, { secret: context.name });
  return descriptor.create(options, context);
}
