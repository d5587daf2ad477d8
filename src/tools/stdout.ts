/**
 * Stdout for tools whose output is piped: a reader that stops early (`| head -1`) ends the tool
 * quietly with exit code 0, as it does for any Unix filter, instead of an EPIPE stack trace.
 */
export function endQuietlyWhenPipeCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`Cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
}

/** Writes one line, waiting while the reader is behind, so memory stays flat however long the output. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}
