/** The parts of `pulumi preview --json` output that scripts/allowlistReport.ts reads, and its parser. */

export type Change = "created" | "updated" | "replaced" | "deleted";

export interface StepState {
  type?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface PreviewStep {
  op?: string;
  urn?: string;
  oldState?: StepState;
  newState?: StepState;
  replaceReasons?: string[];
}

export interface PreviewJson {
  steps?: PreviewStep[];
  diagnostics?: Array<{ message?: string; severity?: string; urn?: string }>;
}

/**
 * Parses `pulumi preview --json` output. Anything a program prints ends up on the same stdout, so when the
 * whole text is not JSON, the JSON document is taken from the first line that opens an object.
 */
export function parsePreviewJson(text: string): PreviewJson {
  try {
    return JSON.parse(text);
  } catch {
    const start = text.search(/^\{/m);
    const end = text.lastIndexOf("}");
    if (start >= 0 && end > start) {
      try {
        return JSON.parse(text.slice(start, end + 1));
      } catch {
        /* reported below */
      }
    }
    throw new Error("the input is not `pulumi preview --json` output (no JSON document found)");
  }
}
