#!/usr/bin/env node
// The `gm` command: a shim that loads the program (not the whole library) and runs it.
import('../dist/program.mjs').then(({ main }) => main(process.argv));
