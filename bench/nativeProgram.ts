/**
 * The bench's native path: the WidgetKeys of bench/programs/widget-keys written as a Pulumi YAML program
 * (YAML has no loops, so the file is generated for each N) that the native plugin in bin/ runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { yamlProgramHead } from "../test/e2e/support/yamlProgram";

/** A temp program directory with `n` keys; remove it when done. */
export function nativeProgram(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kataven-bench-native-"));
  const keys = Array.from(
    { length: n },
    (_, i) =>
      `  key-${i}:\n    type: kataven:index:WidgetKey\n    properties:\n      name: bench key ${i}\n      domainAllowlist:\n` +
      `        - https://site-${i}.example.com\n        - "*.bench.example.com"\n`,
  );
  const yaml = yamlProgramHead("bench-widget-keys-native") + `resources:\n${keys.join("")}outputs:\n  resources: ${n}\n`;
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
  return dir;
}
