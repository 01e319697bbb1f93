#!/usr/bin/env node
// kataven-recover: list (and with --delete remove) the widget keys an interrupted "pulumi up" left untracked.
// See provider/recovery/cli.ts and the README section "Recovering from an interrupted run".
"use strict";
require("../dist/provider/recovery/cli.js")
  .main()
  .then(
    function (code) { process.exit(code); },
    function (err) {
      var redact = require("../dist/provider/errors.js").redact;
      process.stderr.write("kataven-recover: " + redact(err && err.message ? err.message : String(err)) + "\n");
      process.exit(1);
    }
  );
