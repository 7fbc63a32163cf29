#!/usr/bin/env node
// The `gm` command: a shim that loads the built program and runs it.
import('../dist/index.mjs').then(({ main }) => main(process.argv));
