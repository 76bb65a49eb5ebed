/** Entry of the bundled `localrank` bin (dist/cli/localrank.mjs). */
import { main } from './cli';

const code = await main(process.argv.slice(2), { out: (text) => process.stdout.write(text), err: process.stderr });
process.exitCode = code;
