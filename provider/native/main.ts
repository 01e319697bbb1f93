/** Entry point of the `pulumi-resource-kataven` plugin (bin/pulumi-resource-kataven). */
import { serve } from "./server";

serve(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`pulumi-resource-kataven: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
