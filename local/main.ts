/**
 * `npx projen local`: the example app served on this machine, by the same
 * command the package ships (`npx logistics-tracking-api local`, local/cli.ts),
 * run from the sources. `npx projen local -- --help` lists the options;
 * PORT=3000 (default) is the API's port.
 */
import * as path from 'path';
import { runCli } from './cli';

void runCli(['local', ...process.argv.slice(2)], {
  command: 'npx projen',
  cdkOut: path.join(__dirname, '..', 'example', 'cdk.out'),
});
