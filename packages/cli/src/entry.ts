#!/usr/bin/env node
import { startEarlyHosts } from './early-hosts.js';

// Before the command modules load (most of the CLI's start-up): see early-hosts.ts.
startEarlyHosts(process.argv.slice(2));
const { main } = await import('./program.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
