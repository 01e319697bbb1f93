#!/usr/bin/env node
// kataven-recover: list (and with --delete remove) the widget keys an interrupted "pulumi up" left untracked.
// See provider/recovery/cli.ts and the README section "Recovering from an interrupted run".
"use strict";
require("../dist/provider/recovery/cli.js").run();
