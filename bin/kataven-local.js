#!/usr/bin/env node
// The server stores its data with node:sqlite, which older Node.js versions lack: say so in one line
// instead of dying with ERR_UNKNOWN_BUILTIN_MODULE. Written for any Node.js (no newer syntax), and the
// minimum is read from package.json "engines" so there is one place to change it.
"use strict";
var wanted = require("../package.json").engines.node; // e.g. ">=22.18"
var min = (/(\d+)\.(\d+)/.exec(wanted) || [0, 0, 0]).slice(1).map(Number);
var have = process.versions.node.split(".").map(Number);
if (have[0] < min[0] || (have[0] === min[0] && have[1] < min[1])) {
  process.stderr.write(
    "kataven-local: needs Node.js " +
      wanted +
      " (for node:sqlite), but this is Node.js " +
      process.version +
      " (" +
      process.execPath +
      "); install Node.js " +
      min.join(".") +
      " or newer, or put it first on PATH\n",
  );
  process.exit(1);
}
require("../dist/server/main.js");
