import path from 'node:path';
import { startLockboxBot } from './app';
import { ConfigError, loadConfig } from './config';
import { startPlayground } from './local/playground';
import { createLogger } from './runtime/logger';
import { SIMULATED_TENANT_FILE } from './simulator';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const bot = await startLockboxBot(config, { logger });
  const playground = config.playground.enabled ? startPlayground(bot.url, config.playground.port, config.dataDir, logger) : undefined;

  // Before the banner: whoever reads it may stop the program at once, and that stop must be clean.
  const stop = async (signal: string) => {
    logger.info('Stopping', { signal });
    playground?.kill();
    await bot.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  const lines = ['', 'Lockbox Bot is running.', `  Bot endpoint:      ${bot.url}/api/messages   (health: ${bot.url}/healthz)`];
  if (playground) lines.push(`  Teams client:      http://localhost:${config.playground.port}   (Microsoft 365 Agents Playground: open it in a browser)`);
  if (bot.simulatorUrl) {
    lines.push(`  Simulated tenant:  ${bot.simulatorUrl}   (${simulatorNote(bot.simulator, config.dataDir)})`);
    lines.push('  Another request:   npm run simulate:request');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/** What a newcomer should expect of the simulated tenant: new requests only on a first start. */
function simulatorNote(simulator: { restored: boolean } | undefined, dataDir: string): string {
  if (!simulator) return 'started separately';
  if (!simulator.restored) return 'the first lockbox requests appear a few seconds after start';
  return `continuing from ${path.join(dataDir, SIMULATED_TENANT_FILE)}: no new request; /lockbox pending shows those waiting`;
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Lockbox Bot cannot start. ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Lockbox Bot stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
