import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { diskUsage, formatDiskUsage } from './diskUsage.js';

const USAGE = `Usage:
  npm run disk [-- --data-dir <dir>]   what the embedded stores take on disk: the log per kind of
                                       event (data and metadata bytes), the views per collection

The folder is --data-dir, else DATA_DIR, else ./data. It reads the files only, beside a running
server if need be. Exit status: 0 done, 1 failed, 2 bad usage.
`;

export type DiskCliIo = { stdout: (text: string) => void; stderr: (text: string) => void; env: Record<string, string | undefined> };

export const runDiskCli = (argv: string[], io: DiskCliIo): number => {
  let dataDir: string;
  try {
    const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    dataDir = values['data-dir'] ?? io.env.DATA_DIR ?? './data';
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    io.stdout(formatDiskUsage(diskUsage(dataDir)));
    return 0;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 1;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runDiskCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
