import { pino, type Logger } from 'pino';

/** A request as the log keeps it: the query's values are left out, since a client may have put a key there. */
const requestSummary = (req: { method?: string; url?: string; id?: unknown }) => {
  const [path = '', query] = (req.url ?? '').split('?', 2);
  const names = query?.split('&').map((pair) => `${pair.split('=', 1)[0]}=[redacted]`);
  return { id: req.id, method: req.method, url: names ? `${path}?${names.join('&')}` : path };
};

export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino(
    {
      level,
      base: { service: 'sales-conduct-ledger' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { req: requestSummary },
      // Keys and personal data never reach the log.
      redact: ['req.headers.authorization', 'headers.authorization', '*.phone', '*.email'],
    },
    destination,
  );
