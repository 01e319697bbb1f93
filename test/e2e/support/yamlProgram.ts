/** The head of a Pulumi YAML program run against this repository's native plugin (bin/pulumi-resource-kataven). */
import * as path from "node:path";
import { REPO } from "./pulumi";

export function yamlProgramHead(project: string): string {
  return `name: ${project}\nruntime: yaml\nplugins:\n  providers:\n    - name: kataven\n      path: ${path.join(REPO, "bin")}\n`;
}
