#!/usr/bin/env node
// The `logistics-tracking-api` command of the npm package (package.json "bin"):
// copied beside the bundle into lib/local/ by tools/build-local-runtime.ts.
// In this repository, `npx projen local` runs the same command from the sources.
'use strict';
require('./index.js').runCli(process.argv.slice(2));
