import { startLockboxBot } from './app';
import { ConfigError, loadConfig } from './config';
import { startPlayground } from './local/playground';
import { createLogger } from './runtime/logger';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const bot = await startLockboxBot(config, { logger });
  const playground = config.playground.enabled ? startPlayground(bot.url, config.playground.port, config.dataDir, logger) : undefined;

  const lines = ['', 'Lockbox Bot is running.', `  Bot endpoint:      ${bot.url}/api/messages   (health: ${bot.url}/healthz)`];
  if (playground) lines.push(`  Teams client:      http://localhost:${config.playground.port}   (Microsoft 365 Agents Playground: open it in a browser)`);
  if (bot.simulatorUrl) {
    lines.push(`  Simulated tenant:  ${bot.simulatorUrl}   (a first lockbox request appears a few seconds after start)`);
    lines.push('  Another request:   npm run simulate:request');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const stop = async (signal: string) => {
    logger.info('Stopping', { signal });
    playground?.kill();
    await bot.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Lockbox Bot cannot start. ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Lockbox Bot stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
