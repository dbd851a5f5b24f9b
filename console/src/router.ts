import { useCallback, useEffect, useState } from 'react';

/** Every page of the console lives under this path; the server answers each with the same page. */
export const BASE = '/console';

/** The path below /console, such as `/customers/<id>`, and its query. */
export type Location = { path: string; search: URLSearchParams };

const current = (): Location => ({
  path: window.location.pathname.slice(BASE.length) || '/',
  search: new URLSearchParams(window.location.search),
});

/** Moves to a page by the History API, without a reload, keeping back and forward working. */
export const navigate = (to: string, { replace = false } = {}) => {
  if (replace) window.history.replaceState(null, '', `${BASE}${to}`);
  else window.history.pushState(null, '', `${BASE}${to}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
};

export const useLocation = () => {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const follow = () => setLocation(current());
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);
  const go = useCallback((to: string) => navigate(to), []);
  return { location, go };
};
