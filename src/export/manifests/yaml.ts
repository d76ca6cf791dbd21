/**
 * A small YAML writer for the manifests hush prints: mappings, lists, strings, numbers and
 * booleans, two-space indents. Every string is a double-quoted scalar written as JSON writes it
 * (JSON's escapes are a subset of YAML 1.2's double-quoted ones), so no value is ever read back as
 * a number, a boolean or null, and any character survives. Hand-written because the output is
 * this narrow and the `yaml` package is loaded lazily only to read hush.yaml.
 *
 * @example
 * toYaml({ apiVersion: "v1", kind: "Secret", data: { A: "YQ==" } })
 */

/** A value the writer takes. */
export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue | undefined };

/** The YAML text of `value` (a mapping at the top), ending with a newline. */
export function toYaml(value: { [key: string]: YamlValue | undefined }): string {
  return lines(value, 0).join("\n") + "\n";
}

// --- internal ---

function lines(value: YamlValue, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (!isComposite(item)) return [`${pad}- ${scalar(item)}`];
      const inner = lines(item, indent + 2);
      return [`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, YamlValue][];
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, v]) => {
      const key = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(k) && !RESERVED.has(k.toLowerCase()) ? k : JSON.stringify(k);
      if (!isComposite(v) || isEmpty(v)) return [`${pad}${key}: ${isComposite(v) ? (Array.isArray(v) ? "[]" : "{}") : scalar(v)}`];
      return [`${pad}${key}:`, ...lines(v, Array.isArray(v) ? indent : indent + 2)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

/** Plain keys YAML would read as something else. */
const RESERVED = new Set(["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]);

function isComposite(v: YamlValue): v is YamlValue[] | { [key: string]: YamlValue | undefined } {
  return typeof v === "object";
}

function isEmpty(v: YamlValue[] | { [key: string]: YamlValue | undefined }): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.values(v).every((x) => x === undefined);
}

function scalar(v: string | number | boolean): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
