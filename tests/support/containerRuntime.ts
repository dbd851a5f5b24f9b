import { getContainerRuntimeClient } from 'testcontainers';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Why no container runtime can be used, or null when one answers. Bounded, so a machine
 * without one (these build machines) learns it in a moment rather than at a test timeout.
 */
export async function containerRuntimeProblem(): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
