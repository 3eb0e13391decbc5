import { useEffect, useRef } from 'preact/hooks';
import type { VizCluster } from '../../lib/viz/format.js';
import type { Model } from './model.js';
import type { Route } from './route.js';

const APP = 'OpenCLIO explorer';

/** What the browser tab, history and screen readers call the screen. */
export function screenTitle(route: Route, model: Model, run: string): string {
  const cluster = model.cluster(route.cluster);
  const of = (c: VizCluster | undefined) => (c ? ` of “${c.name}”` : '');
  const name = route.q
    ? `Search: ${route.q}`
    : route.view === 'treemap'
      ? `Treemap${of(cluster)}`
      : route.view === 'map'
        ? `Map${of(cluster)}`
        : route.view === 'run'
          ? 'Run details'
          : route.view === 'compare'
            ? 'Compare runs'
            : route.view === 'trends'
              ? 'Trends'
              : (cluster?.name ?? 'Top-level clusters');
  return `${name} · ${run} · ${APP}`;
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/**
 * A new screen (`key` changed; undefined while the run loads) starts at its top and, unless the user is working in the header
 * (typing a search, picking a partition), takes focus at its heading: otherwise the focused link
 * would vanish with the old screen and leave keyboard and screen-reader users on <body>.
 */
export function useScreenFocus(key: string | undefined): void {
  const first = useRef(true);
  useEffect(() => {
    if (key === undefined) return;
    window.scrollTo(0, 0);
    if (first.current) {
      first.current = false;
      return;
    }
    const focused = document.activeElement;
    if (focused?.isConnected && focused.closest('header')) return;
    const heading = document.querySelector<HTMLElement>('main h1');
    if (!heading) return;
    // Focusable by script only: a heading is not a stop in the Tab order.
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }, [key]);
}
