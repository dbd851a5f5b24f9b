import { analystTour } from './analystTour.js';
import { complaintFlow } from './complaintFlow.js';
import { complianceTrail } from './complianceTrail.js';
import { consoleDemo, DEMO_DAYS } from './consoleDemo.js';
import { dealFlow } from './dealFlow.js';
import { Scenario } from './harness.js';
import { incentiveFlow } from './incentiveFlow.js';

/**
 * `npm run scenario -- <name> [--port N]`: runs a named walkthrough against the real
 * server on a fresh embedded store in a temporary folder, printing each request and
 * answer. With --port the server stays up afterwards for curl (Ctrl-C to stop).
 */
const scenarios = {
  'deal-flow': dealFlow,
  'compliance-trail': complianceTrail,
  'complaint-flow': complaintFlow,
  'incentive-flow': incentiveFlow,
  'console-demo': consoleDemo,
  'analyst-tour': analystTour,
} as const;

const [name, ...rest] = process.argv.slice(2);
const portFlag = rest.indexOf('--port');
const port = portFlag >= 0 ? Number(rest[portFlag + 1]) : undefined;
if (!name || !(name in scenarios)) {
  console.error(`usage: npm run scenario -- <${Object.keys(scenarios).join('|')}> [--port N]`);
  process.exit(2);
}
// The console's demo history spans weeks and ends about now, so the console's periods reach it.
const startAt = name === 'console-demo' ? new Date(Date.now() - DEMO_DAYS * 86_400_000) : new Date();
const scenario = await Scenario.start({ startAt: startAt.toISOString(), ...(port ? { port } : {}) });
console.log(`Server on ${scenario.baseUrl}, embedded store in a temporary folder`);
try {
  await scenarios[name as keyof typeof scenarios](scenario);
  console.log('\nScenario completed: every check held.');
} catch (error) {
  console.error(`\n${(error as Error).message}`);
  process.exitCode = 1;
}
if (port && process.exitCode !== 1) {
  console.log(`Still serving on ${scenario.baseUrl}; Ctrl-C to stop.`);
} else {
  await scenario.stop();
}
