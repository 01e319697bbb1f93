import * as fs from "node:fs";
import { SCHEMA_FILE, schemaText } from "../../scripts/writeSchema";

describe("sdk/schema.json", () => {
  it("is the package schema the plugin serves today (npm run gen:go-sdk writes it with sdk/go)", () => {
    const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
    if (committed !== schemaText()) {
      throw new Error("sdk/schema.json and sdk/go are older than provider/schema/: run `npm run gen:go-sdk` and commit both");
    }
  });
});
