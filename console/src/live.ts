import { useEffect, useRef, useState } from 'react';
import { ApiProblem, type Problem } from './api';

/**
 * How often a page reads its views again while the tab is visible. Polling: the console has only
 * the public API, where a browser cannot send the key with an EventSource, and every view answers
 * from its checkpointed read model in milliseconds; after the console's own command it reads with
 * `?after=<position>` so the answer already holds that write.
 */
export const LIVE_INTERVAL_MS = 5_000;

const refreshWatchers = new Set<(at: Date) => void>();

/** When any view on the page last answered. */
export const useLastRefresh = () => {
  const [at, setAt] = useState<Date | null>(null);
  useEffect(() => {
    refreshWatchers.add(setAt);
    return () => {
      refreshWatchers.delete(setAt);
    };
  }, []);
  return at;
};

export type Live<T> = {
  data: T | undefined;
  problem: Problem | null;
};

/**
 * Loads on mount and whenever `key` changes, then again every interval while the page is visible
 * and at once when it becomes visible; an answer equal to the last one leaves the page untouched.
 */
export const useLive = <T>(load: () => Promise<T>, key: string, intervalMs = LIVE_INTERVAL_MS): Live<T> => {
  const [data, setData] = useState<T>();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastJson = useRef<string>('');

  useEffect(() => {
    lastJson.current = '';
    setData(undefined);
  }, [key]);

  useEffect(() => {
    let cancelled = false;
    loadRef
      .current()
      .then((answer) => {
        if (cancelled) return;
        const json = JSON.stringify(answer);
        if (json !== lastJson.current) {
          lastJson.current = json;
          setData(answer);
        }
        setProblem(null);
        const at = new Date();
        refreshWatchers.forEach((watch) => watch(at));
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setProblem(error instanceof ApiProblem ? error.problem : { type: 'about:blank', title: 'Network error', status: 0, detail: String(error) });
      });
    return () => {
      cancelled = true;
    };
  }, [key, tick]);

  useEffect(() => {
    const again = () => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    };
    const timer = window.setInterval(again, intervalMs);
    document.addEventListener('visibilitychange', again);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', again);
    };
  }, [intervalMs]);

  return { data, problem };
};
