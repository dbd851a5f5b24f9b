/** Every time is shown in the company's zone, as its people read it, whatever zone the browser is in. */
export const COMPANY_TIME_ZONE = 'Asia/Shanghai';
const COMPANY_OFFSET = '+08:00';

export type Language = 'zh' | 'en';
const LOCALES: Record<Language, string> = { zh: 'zh-CN', en: 'en-GB' };

const instantFormats = new Map<string, Intl.DateTimeFormat>();
const formatOf = (language: Language, withTime: boolean) => {
  const id = `${language}|${withTime}`;
  let format = instantFormats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], {
      timeZone: COMPANY_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    instantFormats.set(id, format);
  }
  return format;
};

/** An ISO-8601 instant as a Beijing date and time. */
export const formatInstant = (iso: string, language: Language) => formatOf(language, true).format(new Date(iso));
export const formatDay = (iso: string, language: Language) => formatOf(language, false).format(new Date(iso));

/** The company-zone wall time of an instant, as a datetime-local input holds it (seconds included). */
export const toCompanyLocalInput = (iso: string) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: COMPANY_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
};

/** A datetime-local value read as Beijing wall time, as an instant with its offset. */
export const fromCompanyLocalInput = (value: string) => `${value.length === 16 ? `${value}:00` : value}${COMPANY_OFFSET}`;

/** Today's date in the company calendar, YYYY-MM-DD. */
export const companyToday = (now = new Date()) => toCompanyLocalInput(now.toISOString()).slice(0, 10);

export type Amount = { minor: number | null; minorDecimal?: string; currency: string };

const fractionDigits = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Integer minor units as a decimal string, exactly, however large (a total past 2^53 comes as minorDecimal). */
export const majorUnits = ({ minor, minorDecimal, currency }: Amount): string => {
  const digits = fractionDigits(currency);
  const raw = minor === null ? (minorDecimal ?? '0') : String(minor);
  const negative = raw.startsWith('-');
  const magnitude = (negative ? raw.slice(1) : raw).padStart(digits + 1, '0');
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = digits > 0 ? `.${magnitude.slice(magnitude.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
};

/** An amount with its currency, in the reader's conventions: ¥120,000.00 / CN¥120,000.00. */
export const formatMoney = (amount: Amount, language: Language) =>
  new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency: amount.currency }).format(majorUnits(amount) as `${number}`);

/** A figure already in major units (a KPI drawn from its exact amount) with its currency. */
export const formatMajorUnits = (value: number, currency: string, language: Language) => new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency }).format(value);

export const formatNumber = (value: number, language: Language, maximumFractionDigits = 1) =>
  new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits }).format(value);

export const formatPercent = (ratio: number, language: Language) => new Intl.NumberFormat(LOCALES[language], { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
