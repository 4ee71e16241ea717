#!/usr/bin/env node
// The package's executable, `cdktf-flux <command>` (cli/commands.ts): compiled to
// dist/cli/cdktf-flux.js and named by package.json's bin; npm run deploy, review and
// manifests:lock run it from the sources in this repository.
import { runCommand } from './commands';

runCommand(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`cdktf-flux: ${error.message}`);
    process.exitCode = 1;
  },
);
