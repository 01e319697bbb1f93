/** Entry point of the `pulumi-resource-kataven` plugin (bin/pulumi-resource-kataven). */
import { exitWhenEngineGone } from "../engineWatch";
import { serve } from "./server";

// A plugin outliving a killed CLI must not go on creating and deleting keys (../engineWatch.ts).
exitWhenEngineGone();
serve(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`pulumi-resource-kataven: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
