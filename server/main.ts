/** CLI entry point (`kataven-local serve|bootstrap`, see cli.ts); bin/kataven-local.js requires this file. */
import { main } from "./cli";

void main(process.argv.slice(2));
