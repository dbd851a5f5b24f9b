import type { Logger } from 'pino';
import { anchorRules } from '../../domain/anchor/anchor.js';
import type { AnchorCommands } from '../commands/anchorCommands.js';
import { RuleRefused } from '../errors.js';
import { Pause } from '../followers/pause.js';
import { Supervisor } from '../followers/supervisor.js';
import { newId } from '../ids.js';

export const SCHEDULE_ACTOR = { id: 'anchor-schedule', role: 'system' } as const;

export type AnchorOutcome =
  | { outcome: 'anchored'; sequence: number; position: number; changed: number }
  | { outcome: 'unchanged' }
  /** The log no longer continues what the last anchor sealed: someone must look, and verification says where. */
  | { outcome: 'refused'; rule: string; detail: string };

export type AnchorScheduleOptions = {
  anchors: AnchorCommands;
  logger: Logger;
  intervalMs: number;
};

/**
 * Takes an anchor every intervalMs when the log has moved. Like the deadline watcher it holds no
 * state of its own: the last anchor is in the log, so a restart simply takes the next one.
 */
export class AnchorSchedule {
  private stopped = true;
  private readonly pause = new Pause();
  readonly supervisor: Supervisor;

  constructor(private readonly options: AnchorScheduleOptions) {
    this.supervisor = new Supervisor({ name: 'anchor-schedule', kind: 'schedule', logger: options.logger });
  }

  /** Takes an anchor now if the log moved; a refusal other than "nothing moved" is a warning sign, logged as an error. */
  async tick(): Promise<AnchorOutcome> {
    const commandId = newId();
    try {
      const { anchor } = await this.options.anchors.record({ trigger: 'schedule' }, { commandId, actor: SCHEDULE_ACTOR, correlationId: commandId });
      return { outcome: 'anchored', sequence: anchor.sequence, position: anchor.position, changed: anchor.changed.length };
    } catch (error) {
      if (!(error instanceof RuleRefused)) throw error;
      const { refused, detail } = error.refusal;
      if (refused.id === anchorRules.scheduledOnChange.id) return { outcome: 'unchanged' };
      this.options.logger.error({ rule: refused.id, detail }, 'the log cannot be anchored: it no longer continues what the last anchor sealed; verify it against the anchors');
      return { outcome: 'refused', rule: refused.id, detail };
    }
  }

  /** Ticks every intervalMs, the next tick scheduled only once the last has finished; a tick that throws is retried under the supervisor. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.supervisor.start(async () => {
      for (;;) {
        await this.pause.wait(this.options.intervalMs);
        if (this.stopped) return;
        const outcome = await this.tick();
        this.supervisor.progressed();
        if (outcome.outcome === 'anchored') this.options.logger.info(outcome, 'anchor taken');
      }
    });
  }

  /** Ticks again now rather than after the pause its last failure earned. */
  retry(): void {
    this.supervisor.retry();
  }

  /** Stops the loop and waits for a tick under way; tick() still works when called directly. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.supervisor.stop(async () => this.pause.interrupt());
  }

}
