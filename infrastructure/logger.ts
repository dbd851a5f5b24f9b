import { pino, type Logger } from 'pino';

export const createLogger = (level: string): Logger =>
  pino({
    level,
    base: { service: 'sales-conduct-ledger' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Keys and personal data never reach the log.
    redact: ['req.headers.authorization', 'headers.authorization', '*.phone', '*.email'],
  });
