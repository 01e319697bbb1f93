/**
 * Writes the native plugin's package schema to sdk/schema.json, the schema sdk/go is generated from
 * (scripts/gen-go-sdk.sh runs this beside the generator). Committed, so a schema change shows in review and
 * test/unit/schemaFile.test.ts fails, naming `npm run gen:go-sdk`, until both are regenerated.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pluginVersion } from "../provider/native/packageMethods";
import { packageSchema } from "../provider/schema/package";
import { REPO_ROOT } from "./lib/repo";

export const SCHEMA_FILE = path.join(REPO_ROOT, "sdk", "schema.json");

/** The schema as the file holds it. */
export const schemaText = () => JSON.stringify(packageSchema(pluginVersion()), null, 2) + "\n";

if (require.main === module) {
  fs.writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${path.relative(REPO_ROOT, SCHEMA_FILE)}`);
}
