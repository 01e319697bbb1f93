import * as fs from "node:fs";
import * as path from "node:path";
import { REFERENCE_FILE, renderReference, updatedReference } from "../../scripts/docs";

describe("the resource reference (docs/reference.md)", () => {
  it("is current: run `npm run docs` after changing a resource's Args or outputs", () => {
    const page = fs.readFileSync(path.join(__dirname, "../..", REFERENCE_FILE), "utf8");
    expect(updatedReference(page)).toBe(page);
  });

  it("is linked from the README", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    expect(readme).toContain(`](${REFERENCE_FILE})`);
  });

  it("documents every input and output of every resource", () => {
    const ref = renderReference();
    for (const heading of ["### WidgetKey", "### RotatingWidgetKey", "### WidgetSettings", "### AgentWidgetSettings"])
      expect(ref).toContain(heading);
    for (const field of ["`domainAllowlist`", "`rotation`", "`adopt`", "`secretKey`", "`launcherPosition`", "`authMode`", "`onDelete`"]) {
      expect(ref).toContain(field);
    }
    for (const fn of ["`WidgetKey.get(", "`getWidgetKeys(", "`getWidgetSettings(", "`getAgentWidgetSettings(", "`WidgetKeyInfo`"])
      expect(ref).toContain(fn);
    expect(ref).not.toMatch(/\| {2}\|\n/); // every row has a description
  });
});
