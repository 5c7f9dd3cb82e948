#!/usr/bin/env node
// `npx crossrt`: the CLI's own entry (argument parsing, early hosts, exit codes) under this package's
// bin, so the installed command and `node packages/cli/dist/main.js` in this repository are one program.
import '@crossrt/cli/main';
