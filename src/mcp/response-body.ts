/**
 * The body of a gateway reply as an MCP tool can return it: text when it is text (UTF-8, or
 * the charset its Content-Type names), else base64, and cut at a size limit, saying which.
 * A model reads the result, so a megabyte of JSON or a PNG in raw bytes helps no one.
 */
import { TextDecoder } from "node:util";

/** A reply body ready for a tool result. */
export interface ToolBody {
  /** The text, or the base64 of the bytes. */
  body: string;
  encoding: "text" | "base64";
  /** Bytes the gateway returned (before the cut). */
  bytes: number;
  /** True when `body` holds only the first part (the gateway's limit or this one). */
  truncated: boolean;
}

/** Default largest body given back to the agent: 100 000 bytes (about 25 000 tokens of text). */
export const DEFAULT_MAX_RESPONSE_BYTES = 100_000;

/**
 * Decodes `bytes` for a tool result: cut to `maxBytes` (at a character boundary for text),
 * text when it decodes cleanly and the Content-Type is not a binary one, else base64.
 */
export function toToolBody(bytes: Uint8Array, contentType: string | undefined, maxBytes: number, cutByGateway = false): ToolBody {
  const truncated = cutByGateway || bytes.length > maxBytes;
  const cut = bytes.subarray(0, Math.min(bytes.length, maxBytes));
  const text = isBinaryType(contentType) ? undefined : decodeText(cut, charsetOf(contentType), truncated);
  if (text !== undefined) return { body: text, encoding: "text", bytes: bytes.length, truncated };
  return { body: Buffer.from(cut.buffer, cut.byteOffset, cut.byteLength).toString("base64"), encoding: "base64", bytes: bytes.length, truncated };
}

// --- internal ---

const BINARY_TYPES = /^(image|audio|video|font)\/|^application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|vnd\.|protobuf|x-protobuf|grpc|wasm|msgpack|cbor)/;

function isBinaryType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  // vnd.* types with a +json or +xml suffix (vnd.api+json) are text.
  return BINARY_TYPES.test(type) && !/\+(json|xml)$/.test(type);
}

function charsetOf(contentType: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)"?/i.exec(contentType ?? "");
  return match ? match[1]!.toLowerCase() : "utf-8";
}

/** The text of `bytes` in `charset`, or undefined when it is not text. A cut body may end inside a character: up to 3 trailing bytes are left out. */
function decodeText(bytes: Uint8Array, charset: string, truncated: boolean): string | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    return undefined; // a charset Node does not know: give the bytes
  }
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop <= bytes.length; drop++) {
    try {
      const text = decoder.decode(bytes.subarray(0, bytes.length - drop));
      // NUL and most C0 controls do not occur in text; they mean bytes that happen to decode.
      return hasNonTextControl(text) ? undefined : text;
    } catch {
      // not text as it ends here: try one byte shorter
    }
  }
  return undefined;
}

/** True when `text` holds a C0 control other than tab, LF, VT, FF, CR and ESC. */
function hasNonTextControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !TEXT_CONTROLS.has(code)) return true;
  }
  return false;
}

const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);
