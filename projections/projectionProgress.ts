import type { FollowerBoard } from '../application/followers/followersAcrossWorkers.js';
import type { FollowerStatus } from '../application/followers/supervisor.js';
import type { ReadStore } from '../application/ports/readStore.js';
import { checkpointName, readRegistration, type Generation } from './generations.js';
import type { Projection } from './projection.js';
import { projectionLease, type GenerationStatus, type ProjectionRunner, type ProjectionStatus } from './projectionRunner.js';

/** How far each view has got, wherever it is followed: what the API reads for `?after=`, health and operations. */
export interface ProjectionProgress {
  status(): Promise<ProjectionStatus[]>;
  /** Resolves true once every named view has passed `position`, false at the deadline. */
  waitFor(names: string[], position: number, timeoutMs: number): Promise<boolean>;
  /** Asks for a view to be rebuilt from zero; the process that follows it builds it. */
  rebuild(name: string): Promise<Generation>;
}

export type ProjectionsAcrossWorkersOptions = {
  runner: ProjectionRunner;
  readStore: Pick<ReadStore, 'getMeta' | 'getCheckpoint'>;
  projections: readonly Projection[];
  followers: FollowerBoard;
  /** How often a wait polls the checkpoints of a view followed in another process. */
  pollMs?: number;
};

const withoutState = (generation: Generation, position: number | null): GenerationStatus => ({
  ...generation,
  position,
  state: 'unheld',
  attempts: 0,
  lastError: null,
  failure: null,
  restarts: 0,
});

/**
 * The views' progress as this process knows it best: from memory for the views its own runner
 * follows (it is told at once when they move), from the checkpoints in the read store for those
 * another worker follows, with their states as that worker publishes them.
 */
export class ProjectionsAcrossWorkers implements ProjectionProgress {
  constructor(private readonly options: ProjectionsAcrossWorkersOptions) {}

  async status(): Promise<ProjectionStatus[]> {
    const { runner, projections } = this.options;
    const local = new Map(runner.status().map((status) => [status.name, status]));
    const board = await this.options.followers.status();
    return Promise.all(projections.map((projection) => (runner.follows(projection.name) ? local.get(projection.name)! : this.fromStore(projection, board))));
  }

  async waitFor(names: string[], position: number, timeoutMs: number): Promise<boolean> {
    const { runner, pollMs = 25 } = this.options;
    if (names.every((name) => runner.follows(name))) return runner.waitFor(names, position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const positions = await Promise.all(names.map((name) => this.activePosition(name)));
      if (positions.every((applied) => (applied ?? 0) >= position)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
    }
  }

  rebuild(name: string): Promise<Generation> {
    return this.options.runner.rebuild(name);
  }

  private async activePosition(name: string): Promise<number | null> {
    const { runner, readStore } = this.options;
    if (runner.follows(name)) return runner.position(name);
    const { active } = await readRegistration(readStore, name);
    return active ? readStore.getCheckpoint(checkpointName(name, active.generation)) : null;
  }

  private async fromStore(projection: Projection, board: readonly FollowerStatus[]): Promise<ProjectionStatus> {
    const { readStore } = this.options;
    const registration = await readRegistration(readStore, projection.name);
    const describe = async (generation: Generation | null, follower: string): Promise<GenerationStatus | null> => {
      if (!generation) return null;
      const position = await readStore.getCheckpoint(checkpointName(projection.name, generation.generation));
      const published = board.find((status) => status.name === follower);
      if (!published) return withoutState(generation, position);
      const { state, attempts, lastError, failure, restarts } = published;
      return { ...generation, position, state, attempts, lastError, failure, restarts };
    };
    const lease = projectionLease(projection.name);
    return {
      name: projection.name,
      version: projection.version,
      active: await describe(registration.active, lease),
      building: await describe(registration.building, `${lease}:rebuild`),
    };
  }
}
