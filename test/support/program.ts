import { spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../..');

/** Runs the program as `npm start` does (tsx src/index.ts), with only the given settings. */
export function startProgram(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const output = () => ({ stdout, stderr });
  return { child, exited, output };
}

export type Program = ReturnType<typeof startProgram>;

/** The bot's and the embedded simulator's URLs, once the program has said where they are. */
export async function programUrls(program: Program): Promise<{ bot: string; simulator: string }> {
  const bot = await waitFor(() => /Bot endpoint:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(program.output().stdout)?.[1], 'the bot to start', 60_000);
  const simulator = /Simulated tenant:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(program.output().stdout)?.[1] ?? '';
  return { bot, simulator };
}

/** Log lines at warn or error level, and anything written to stderr. */
export function warnings(program: Program): string[] {
  const { stdout, stderr } = program.output();
  const logged = stdout.split('\n').filter((line) => /^\{.*"level":"(warn|error)"/.test(line));
  return [...logged, ...stderr.split('\n').filter((line) => line.trim() !== '')];
}
