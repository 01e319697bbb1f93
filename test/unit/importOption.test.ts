import { importAsAdopt, withoutImport } from "../../provider/resources/importOption";

describe("the import resource option", () => {
  it("becomes adopt: { id } on a WidgetKey and is not passed to the engine", () => {
    const r = importAsAdopt("site", { name: "x" }, { import: " key-1 ", protect: true });
    expect(r.args).toEqual({ name: "x", adopt: { id: "key-1" } });
    expect(r.opts).toEqual({ protect: true });
  });

  it("leaves args and options alone without import", () => {
    const args = { name: "x" };
    const opts = { protect: true };
    expect(importAsAdopt("site", args, opts)).toEqual({ args, opts });
  });

  it("refuses import together with adopt, naming both and what to keep", () => {
    expect(() => importAsAdopt("site", { adopt: { id: "a" } }, { import: "b" })).toThrow(
      /WidgetKey "site": both the import option and the adopt input are set; keep only adopt: \{ id: "b" \}/,
    );
  });

  it("refuses an empty import id, pointing at adopt", () => {
    expect(() => importAsAdopt("site", {}, { import: "  " })).toThrow(
      /import option must be the id of an existing widget key.*adopt: \{ id:/,
    );
  });

  it("is dropped for the settings resources (their create adopts what is stored)", () => {
    expect(withoutImport({ import: "acme", retainOnDelete: true })).toEqual({ opts: { retainOnDelete: true }, importId: "acme" });
  });
});
