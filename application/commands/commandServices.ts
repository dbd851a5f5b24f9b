import type { AnchorKey } from '../anchors/anchorKey.js';
import type { CommandPipeline } from '../commandPipeline.js';
import { ComplianceChecks } from '../compliance/complianceChecks.js';
import { complaintClocks } from '../deadlines/complaintClocks.js';
import { forecastSnapshot } from '../deadlines/forecastSnapshot.js';
import { promiseOverdue } from '../deadlines/promiseOverdue.js';
import { quoteExpiry } from '../deadlines/quoteExpiry.js';
import { registrationExpiry } from '../deadlines/registrationExpiry.js';
import type { PersonalDataVault } from '../personalData.js';
import type { Clock } from '../ports/clock.js';
import type { ChannelClaims } from '../ports/channelClaims.js';
import type { CreditExposure } from '../ports/creditExposure.js';
import type { EventStore } from '../ports/eventStore.js';
import type { KeyStore } from '../ports/keyStore.js';
import type { PipelineHistory } from '../ports/pipelineHistory.js';
import type { TiedStreams } from '../ports/tiedStreams.js';
import { LeadConversionReactor } from '../reactors/leadConversion.js';
import { anchorCommands } from './anchorCommands.js';
import { campaignCommands } from './campaignCommands.js';
import { productCommands, promotionCommands } from './catalogCommands.js';
import { complaintCommands } from './complaintCommands.js';
import { customerCommands } from './customerCommands.js';
import { findingCommands } from './findingCommands.js';
import { forecastCommands } from './forecastCommands.js';
import { fxRateCommands } from './fxRateCommands.js';
import { incentiveCommands } from './incentiveCommands.js';
import { incentivePlanCommands } from './incentivePlanCommands.js';
import { leadCommands } from './leadCommands.js';
import { opportunityCommands } from './opportunityCommands.js';
import { orderCommands } from './orderCommands.js';
import { partnerCommands, registrationCommands } from './partnerCommands.js';
import { policyCommands } from './policyCommands.js';
import { promiseCommands } from './promiseCommands.js';
import { quoteCommands } from './quoteCommands.js';
import { repCommands, type KeyRolesOf } from './repCommands.js';
import { targetCommands } from './targetCommands.js';
import type { IncentivePlanDirectory } from '../ports/incentivePlans.js';
import type { SalesTeams } from '../ports/salesTeams.js';

export type CommandServiceDeps = {
  pipeline: CommandPipeline;
  /** The roles the configured API keys give an actor id: hiring onto the sales roster is judged by them (REP-16). */
  keyRolesOf: KeyRolesOf;
  eventStore: EventStore;
  keyStore: KeyStore;
  personalData: PersonalDataVault;
  clock: Clock;
  creditExposure: CreditExposure;
  tiedStreams: TiedStreams;
  anchorKey: AnchorKey;
  /** How many days ahead a policy revision may take effect (POLICY_HORIZON_DAYS). */
  policyHorizonDays: number;
  /** The teams on the roster, for targets (TGT-02). */
  salesTeams: SalesTeams;
  /** The incentive plans created, for the overlap rule (INC-03). */
  incentivePlans: IncentivePlanDirectory;
  /** The approved deal registrations on a customer, for the channel-conflict rule. */
  channelClaims: ChannelClaims;
  /** The pipeline as it stood at a past moment, for the monthly forecast snapshot. */
  pipelineHistory: PipelineHistory;
};

/**
 * Every aggregate's command service, wired once. Routes, reactors and watchers call these and
 * nothing else calls the pipeline; a new aggregate's service is added here.
 */
export const commandServices = ({
  pipeline,
  keyRolesOf,
  eventStore,
  keyStore,
  personalData,
  clock,
  creditExposure,
  tiedStreams,
  anchorKey,
  policyHorizonDays,
  salesTeams,
  incentivePlans,
  channelClaims,
  pipelineHistory,
}: CommandServiceDeps) => {
  const customers = customerCommands(pipeline, eventStore, keyStore, tiedStreams);
  const opportunities = opportunityCommands(pipeline, eventStore);
  const findings = findingCommands(pipeline);
  const compliance = new ComplianceChecks({ eventStore, findings });
  const leadConversion = new LeadConversionReactor({ eventStore, customers, opportunities, personalData });
  const quotes = quoteCommands(pipeline, eventStore, compliance);
  const promises = promiseCommands(pipeline, eventStore, compliance);
  const { commands: complaints, followUps: complaintFollowUps } = complaintCommands(pipeline, eventStore, compliance, promises);
  const registrations = registrationCommands(pipeline, eventStore, channelClaims);
  const forecasts = forecastCommands(pipeline, pipelineHistory);
  return {
    commands: {
      customers,
      opportunities,
      products: productCommands(pipeline),
      promotions: promotionCommands(pipeline, eventStore),
      leads: leadCommands(pipeline, eventStore, clock, leadConversion),
      quotes,
      promises,
      orders: orderCommands(pipeline, eventStore, creditExposure),
      policy: policyCommands(pipeline, eventStore, policyHorizonDays, clock),
      reps: repCommands(pipeline, keyRolesOf),
      findings,
      anchors: anchorCommands(pipeline, eventStore, anchorKey),
      complaints,
      targets: targetCommands(pipeline, eventStore, salesTeams),
      fxRates: fxRateCommands(pipeline, eventStore),
      incentivePlans: incentivePlanCommands(pipeline, incentivePlans),
      incentives: incentiveCommands(pipeline, eventStore),
      campaigns: campaignCommands(pipeline),
      partners: partnerCommands(pipeline),
      registrations,
      forecasts,
    },
    /** What the subscribers run again after a crash: the same checks and follow-ups the commands run at once. */
    reactors: { compliance, leadConversion, complaintFollowUps },
    /** The deadlines the watcher acts on, each through its aggregate's service. */
    deadlineKinds: [quoteExpiry(quotes), promiseOverdue(promises), ...complaintClocks(complaints), registrationExpiry(registrations), forecastSnapshot(forecasts)],
  };
};

export type CommandServices = ReturnType<typeof commandServices>['commands'];
