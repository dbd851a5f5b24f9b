import { z } from 'zod';
import { Money } from '../shared/money.js';
import type { BusinessCalendar, Counting } from './businessTime.js';

/**
 * The complaint service levels, a section of the company policy (articles 7, 18, 29): how soon a
 * complaint of each severity gets its first response and its resolution, on which business
 * calendar, how long a customer may reopen one, who takes over when a clock runs out, and how much
 * money each role may give as a remedy. A complaint runs under the revision in force when it was filed.
 */

export const ComplaintSeverity = z.enum(['low', 'medium', 'high', 'critical']);
export type ComplaintSeverity = z.infer<typeof ComplaintSeverity>;

/** The two clocks every complaint runs. */
export const ServiceClock = z.enum(['firstResponse', 'resolution']);
export type ServiceClock = z.infer<typeof ServiceClock>;

/** The calendar a customer's region has none of its own. */
export const DEFAULT_CALENDAR = 'default';

/** Far beyond any service level, and short enough that a due time is found in a few thousand days. */
export const TARGET_MAX_MINUTES = 43_200;
export const REOPEN_WINDOW_MAX_DAYS = 365;
export const HOLIDAYS_MAX = 400;

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

// Stored shapes are a contract, changed only by adding fields or upcasting.

export const ServiceTarget = z
  .object({
    firstResponseMinutes: z.number().int().positive().max(TARGET_MAX_MINUTES),
    resolutionMinutes: z.number().int().positive().max(TARGET_MAX_MINUTES),
    /** Counted in the working hours of the customer's calendar; otherwise round the clock. */
    businessHours: z.boolean(),
  })
  .strict();
export type ServiceTarget = z.infer<typeof ServiceTarget>;

export const WorkingHoursInput = z.object({ from: z.string().regex(TIME, 'HH:MM, 00:00 to 24:00'), to: z.string().regex(TIME, 'HH:MM, 00:00 to 24:00') }).strict();

export const BusinessCalendarInput = z
  .object({
    weekdays: z.array(z.number().int().min(1).max(7)).max(7),
    hours: z.array(WorkingHoursInput).max(6),
    holidays: z.array(z.iso.date()).max(HOLIDAYS_MAX),
    /** Weekend days worked in exchange for a holiday. */
    workingDays: z.array(z.iso.date()).max(HOLIDAYS_MAX),
  })
  .strict();

/** A rung of the escalation ladder: the level, the role that takes over there, and the clock whose breach reaches it on its own. */
export const EscalationStep = z
  .object({
    level: z.number().int().positive(),
    role: z.string().min(1).max(50),
    onBreachOf: ServiceClock.optional(),
  })
  .strict();
export type EscalationStep = z.infer<typeof EscalationStep>;

export const ComplaintServiceLevels = z
  .object({
    targets: z.record(ComplaintSeverity, ServiceTarget),
    /** By customer region; `default` serves every region without one of its own. */
    calendars: z.record(z.string().min(1).max(50), BusinessCalendarInput),
    /** Days after its resolution within which the customer may reopen a complaint. */
    reopenWindowDays: z.number().int().min(0).max(REOPEN_WINDOW_MAX_DAYS),
    escalation: z.array(EscalationStep).max(10),
    /** The largest remedy with money each role may offer or settle; null is unlimited, a role not listed may give none. */
    remedyAuthority: z.record(z.string().min(1).max(50), Money.nullable()),
  })
  .strict();
export type ComplaintServiceLevels = z.infer<typeof ComplaintServiceLevels>;

/** What is wrong with a section, each located by its path inside it; the policy names the rule. */
export type ServiceLevelProblem = { readonly detail: string; readonly path: (string | number)[] };

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const calendarProblems = (name: string, calendar: BusinessCalendar): ServiceLevelProblem[] => {
  const at = (...path: (string | number)[]) => ['calendars', name, ...path];
  const problems: ServiceLevelProblem[] = [];
  if (calendar.weekdays.length === 0 || calendar.hours.length === 0) {
    problems.push({ detail: `The ${name} calendar has no working time: name its weekdays and hours`, path: at('weekdays') });
  }
  if (new Set(calendar.weekdays).size !== calendar.weekdays.length) problems.push({ detail: `The ${name} calendar names a weekday twice`, path: at('weekdays') });
  calendar.hours.forEach(({ from, to }, index) => {
    if (minutesOf(from) >= minutesOf(to)) problems.push({ detail: `The ${name} calendar's hours ${from}-${to} end before they begin`, path: at('hours', index) });
    const before = calendar.hours[index - 1];
    if (before && minutesOf(before.to) > minutesOf(from)) {
      problems.push({ detail: `The ${name} calendar's hours ${from}-${to} overlap or precede ${before.from}-${before.to}: list them in order`, path: at('hours', index) });
    }
  });
  const swapped = calendar.workingDays.filter((day) => calendar.holidays.includes(day));
  if (swapped.length > 0) problems.push({ detail: `The ${name} calendar has ${swapped.join(', ')} both as a holiday and as a working day`, path: at('workingDays') });
  return problems;
};

/** Everything wrong with the complaint service section of a revision. */
export const serviceLevelProblems = (section: ComplaintServiceLevels): ServiceLevelProblem[] => {
  const problems: ServiceLevelProblem[] = [];
  for (const [severity, target] of Object.entries(section.targets)) {
    if (target.firstResponseMinutes > target.resolutionMinutes) {
      problems.push({ detail: `A ${severity} complaint's first response is due after its resolution`, path: ['targets', severity, 'firstResponseMinutes'] });
    }
  }
  if (!section.calendars[DEFAULT_CALENDAR]) problems.push({ detail: `Give a ${DEFAULT_CALENDAR} calendar for the regions without one`, path: ['calendars', DEFAULT_CALENDAR] });
  for (const [name, calendar] of Object.entries(section.calendars)) problems.push(...calendarProblems(name, calendar));
  section.escalation.forEach((step, index) => {
    if (step.level !== index + 1) problems.push({ detail: `Escalation step ${index + 1} is level ${step.level}: the ladder climbs 1, 2, 3...`, path: ['escalation', index, 'level'] });
    const earlier = section.escalation.slice(0, index).find((other) => step.onBreachOf !== undefined && other.onBreachOf === step.onBreachOf);
    if (earlier) problems.push({ detail: `Both level ${earlier.level} and level ${step.level} take over when the ${step.onBreachOf} clock runs out`, path: ['escalation', index, 'onBreachOf'] });
  });
  for (const [role, limit] of Object.entries(section.remedyAuthority)) {
    if (limit && limit.minor < 0) problems.push({ detail: `The ${role} remedy authority is negative`, path: ['remedyAuthority', role, 'minor'] });
  }
  return problems;
};

/** The calendar serving a region: its own, else the default. */
export const calendarNameFor = (section: ComplaintServiceLevels, region: string): string => (section.calendars[region] ? region : DEFAULT_CALENDAR);

/**
 * The service level one complaint runs under: its severity's targets and, when they count in
 * business hours, the calendar itself, so the complaint's own events say how its clocks count.
 */
export const ServiceLevel = z.object({
  firstResponseMinutes: z.number().int().positive(),
  resolutionMinutes: z.number().int().positive(),
  businessHours: z
    .object({
      calendar: z.string(),
      weekdays: z.array(z.number().int()),
      hours: z.array(z.object({ from: z.string(), to: z.string() })),
      holidays: z.array(z.iso.date()),
      workingDays: z.array(z.iso.date()),
    })
    .optional(),
});
export type ServiceLevel = z.infer<typeof ServiceLevel>;

/** The service level of a severity under a section, on the named calendar. */
export const serviceLevelFor = (section: ComplaintServiceLevels, severity: ComplaintSeverity, calendarName: string): ServiceLevel => {
  const { firstResponseMinutes, resolutionMinutes, businessHours } = section.targets[severity];
  const calendar = section.calendars[calendarName];
  return { firstResponseMinutes, resolutionMinutes, ...(businessHours && calendar ? { businessHours: { calendar: calendarName, ...calendar } } : {}) };
};

/** How a service level's clocks count: in its calendar's working hours, else round the clock. */
export const countingOf = (level: ServiceLevel): Counting => level.businessHours ?? null;

const CNY = (yuan: number) => ({ minor: yuan * 100, currency: 'CNY' });

const WEEKDAYS = [1, 2, 3, 4, 5];

/**
 * The mainland public holidays of 2026 and the weekend days worked in their place, as the year's
 * schedule was published; a later revision corrects them or adds the next year's.
 */
const HOLIDAYS_2026 = [
  '2026-01-01', '2026-01-02', '2026-01-03',
  '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23',
  '2026-04-04', '2026-04-05', '2026-04-06',
  '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05',
  '2026-06-19', '2026-06-20', '2026-06-21',
  '2026-09-25', '2026-09-26', '2026-09-27',
  '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07',
];
const WORKING_WEEKENDS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

/**
 * The service levels of the embedded default, and of the revision the system publishes for a store
 * whose policy predates them. Critical complaints run round the clock; the others in the desk's
 * hours, 09:00-12:00 and 13:00-18:00 on working days.
 */
export const DEFAULT_COMPLAINT_SERVICE_LEVELS: ComplaintServiceLevels = {
  targets: {
    critical: { firstResponseMinutes: 30, resolutionMinutes: 480, businessHours: false },
    high: { firstResponseMinutes: 120, resolutionMinutes: 960, businessHours: true },
    medium: { firstResponseMinutes: 240, resolutionMinutes: 2_400, businessHours: true },
    low: { firstResponseMinutes: 480, resolutionMinutes: 4_800, businessHours: true },
  },
  calendars: {
    [DEFAULT_CALENDAR]: {
      weekdays: WEEKDAYS,
      hours: [
        { from: '09:00', to: '12:00' },
        { from: '13:00', to: '18:00' },
      ],
      holidays: HOLIDAYS_2026,
      workingDays: WORKING_WEEKENDS_2026,
    },
  },
  reopenWindowDays: 14,
  escalation: [
    { level: 1, role: 'sales_manager', onBreachOf: 'firstResponse' },
    { level: 2, role: 'admin', onBreachOf: 'resolution' },
  ],
  remedyAuthority: { support_agent: CNY(5_000), sales_manager: CNY(50_000), finance: CNY(200_000), admin: null },
};
