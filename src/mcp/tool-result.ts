/**
 * The result of an MCP tool call, as the SDK's `CallToolResult` (text content, optional
 * structured content, `isError`), written out here so hush's public types never name the
 * optional SDK.
 */

/** What a tool handler returns. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  /** True for a call that did not do what was asked (refused, failed): the agent reads why in `content`. */
  isError?: boolean;
}

/** A failed call: one line of text saying why, `isError: true`. */
export function toolError(text: string, structured?: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text }], isError: true, ...(structured ? { structuredContent: structured } : {}) };
}
