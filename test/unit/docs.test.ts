import * as fs from "node:fs";
import * as path from "node:path";
import { renderReference, updatedReadme } from "../../scripts/docs";

describe("README resource reference", () => {
  it("is current: run `npm run docs` after changing a resource's Args or outputs", () => {
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    expect(updatedReadme(readme)).toBe(readme);
  });

  it("documents every input and output of every resource", () => {
    const ref = renderReference();
    for (const heading of ["### WidgetKey", "### RotatingWidgetKey", "### WidgetSettings", "### AgentWidgetSettings"]) expect(ref).toContain(heading);
    for (const field of ["`domainAllowlist`", "`rotation`", "`adopt`", "`secretKey`", "`launcherPosition`", "`authMode`", "`onDelete`"]) {
      expect(ref).toContain(field);
    }
    for (const fn of ["`WidgetKey.get(", "`getWidgetKeys(", "`getWidgetSettings(", "`getAgentWidgetSettings(", "`WidgetKeyInfo`"]) expect(ref).toContain(fn);
    expect(ref).not.toMatch(/\| {2}\|\n/); // every row has a description
  });
});
