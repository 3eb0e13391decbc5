import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { MEMBER_PAGE_ITEMS, type VizCluster, type VizItem } from '../../../lib/viz/format.js';
import { loadItems, loadItemsAt } from '../data.js';
import type { Model } from '../model.js';
import { formatRoute, hrefFor, type Route } from '../route.js';
import { count } from '../text.js';
import { transcriptOf } from '../transcript.js';
import { useAsync } from '../use-async.js';

/** A page renders at once and downloads at most two chunks (see MEMBER_PAGE_ITEMS). */
export const PAGE_SIZE = MEMBER_PAGE_ITEMS;

/** A cluster's member items, a page at a time; each opens to show its original. */
export function Members(props: {
  model: Model;
  route: Route;
  run: string;
  cluster: VizCluster;
  /** Only these members (positions in member order), when a facet filter narrows them. */
  only?: readonly number[] | undefined;
}) {
  const { model, route, run, cluster, only } = props;
  const size = only ? only.length : cluster.size;
  const pages = Math.max(1, Math.ceil(size / PAGE_SIZE));
  const page = Math.min(route.page, pages);
  const from = (page - 1) * PAGE_SIZE;
  const to = Math.min(size, from + PAGE_SIZE);
  const shown = only?.slice(from, to);
  const items = useAsync(
    () =>
      shown
        ? loadItemsAt(run, model.index, shown)
        : loadItems(run, model.index, cluster.start + from, cluster.start + to),
    [run, cluster.start, from, to, only],
  );
  const heading = useRef<HTMLHeadingElement>(null);
  const topPager = useRef<HTMLElement>(null);
  usePageFocus(page, heading, topPager);
  const pager = (label: string, ref?: RefObject<HTMLElement | null>) => (
    <Pager
      route={route}
      page={page}
      pages={pages}
      from={from}
      to={to}
      size={size}
      label={label}
      navRef={ref}
    />
  );
  return (
    <section aria-labelledby="members-heading" class="members">
      <h2 id="members-heading" ref={heading} tabIndex={-1}>
        Members
      </h2>
      {size === 0 ? (
        <p class="muted">No member matches the facet filter.</p>
      ) : (
        pager('Member pages', topPager)
      )}
      {items.state === 'loading' && <p class="muted">Loading items…</p>}
      {items.state === 'failed' && <p class="error">Cannot load the items: {items.error}</p>}
      {items.state === 'done' &&
        route.item !== undefined &&
        !items.value.some((item) => item.id === route.item) && (
          <p class="error" role="alert">
            There is no item “{route.item}” on this page of “{cluster.name}”.
          </p>
        )}
      {items.state === 'done' && (
        <ol start={from + 1}>
          {items.value.map((item, i) => (
            <Member
              key={item.id}
              item={item}
              position={shown?.[i] ?? cluster.start + from + i}
              model={model}
              route={route}
            />
          ))}
        </ol>
      )}
      {pages > 1 && pager('Member pages, end of list')}
    </section>
  );
}

/**
 * After a page change, focus stays on the top pager's link the user pressed while it is still
 * there; otherwise (the bottom pager, or a link that became unavailable) it moves to the list's
 * heading, brought into view, so keyboard users are never left on the body or off-screen.
 */
function usePageFocus(
  page: number,
  heading: RefObject<HTMLElement | null>,
  topPager: RefObject<HTMLElement | null>,
): void {
  const shown = useRef(page);
  useEffect(() => {
    if (shown.current === page) return;
    shown.current = page;
    const focused = document.activeElement;
    const kept = focused instanceof HTMLAnchorElement && topPager.current?.contains(focused);
    if (kept) return;
    heading.current?.focus({ preventScroll: true });
    heading.current?.scrollIntoView({ block: 'start' });
  }, [page]);
}

function Pager(props: {
  route: Route;
  page: number;
  pages: number;
  from: number;
  to: number;
  size: number;
  label: string;
  navRef?: RefObject<HTMLElement | null> | undefined;
}) {
  const { route, page, pages, from, to, size, label: name, navRef } = props;
  // Keyed, so a link that turns unavailable is replaced rather than reused as its neighbour
  // (which once left focus on "« First" after pressing "Next ›").
  const link = (n: number, label: string, rel?: string) =>
    n < 1 || n > pages || n === page ? (
      <span key={`off ${label}`} class="disabled" aria-disabled="true">
        {label}
      </span>
    ) : (
      <a
        key={`on ${label}`}
        href={hrefFor(route, { ...(route.cluster ? { cluster: route.cluster } : {}), page: n })}
        rel={rel}
      >
        {label}
      </a>
    );
  return (
    <nav class="pager" aria-label={name} ref={navRef}>
      <span>
        Items {count(from + 1)}–{count(to)} of {count(size)}
      </span>
      {pages > 1 && (
        <span class="pages">
          {link(1, '« First')}
          {link(page - 1, '‹ Previous', 'prev')}
          <span key="at">
            page {count(page)} of {count(pages)}
          </span>
          {link(page + 1, 'Next ›', 'next')}
          {link(pages, 'Last »')}
        </span>
      )}
    </nav>
  );
}

function Member(props: { item: VizItem; position: number; model: Model; route: Route }) {
  const { item, position, model, route } = props;
  const open = route.item === item.id;
  const row = useRef<HTMLLIElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) row.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);
  const base = model.baseAt(position);
  const path = base ? [...model.ancestors(base), base] : [];
  const toggle = () => {
    const { item: _open, ...rest } = route;
    location.hash = formatRoute(open ? rest : { ...rest, item: item.id });
  };
  // A layout effect: the Escape listener must be in place by the time the detail is painted, or a
  // quick Escape after opening is lost.
  useLayoutEffect(() => {
    if (!open) return;
    const close = (event: KeyboardEvent) => {
      // Escape in a text field clears the field; it is not meant for the item.
      if (event.key !== 'Escape' || event.target instanceof HTMLInputElement) return;
      toggle();
      button.current?.focus();
    };
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [open, route]);
  const turns = open ? transcriptOf(item.preview) : [];
  return (
    <li ref={row} data-testid="member" class={open ? 'open' : undefined}>
      <button ref={button} type="button" class="summary" aria-expanded={open} onClick={toggle}>
        {item.summary || '(no summary)'}
      </button>
      <p class="meta">
        <span>{item.id}</span>
        {model.index.partitions.length > 1 && <span>{item.partition}</span>}
        {item.label !== undefined && <span>label: {item.label}</span>}
      </p>
      {open && (
        <div class="detail" data-testid="item-detail">
          <dl>
            <dt>Id</dt>
            <dd>{item.id}</dd>
            <dt>Partition</dt>
            <dd>{item.partition}</dd>
            {item.label !== undefined && (
              <>
                <dt>Label</dt>
                <dd>{item.label}</dd>
              </>
            )}
            {item.facets && (
              <>
                <dt>Facets</dt>
                <dd data-testid="item-facets">
                  {Object.entries(item.facets)
                    .map(([name, value]) => `${name}: ${value}`)
                    .join(' · ')}
                </dd>
              </>
            )}
            <dt>Clusters</dt>
            <dd>
              {path.map((c, i) => (
                <span key={`${c.level}.${c.id}`}>
                  {i > 0 && ' › '}
                  <a href={hrefFor(route, { cluster: { level: c.level, id: c.id } })}>{c.name}</a>
                </span>
              ))}
            </dd>
          </dl>
          {turns.length > 0 ? (
            <>
              <h3>Conversation (start)</h3>
              <ol class="transcript">
                {turns.map((turn, i) => (
                  <li key={i} data-testid="turn" class={`turn ${turn.role.toLowerCase()}`}>
                    <span class="role">{turn.role}</span>
                    <p>{turn.text}</p>
                  </li>
                ))}
              </ol>
              <details>
                <summary>Original as stored</summary>
                <pre>{item.preview}</pre>
              </details>
            </>
          ) : (
            <>
              <h3>Original (start)</h3>
              <pre>{item.preview}</pre>
            </>
          )}
        </div>
      )}
    </li>
  );
}
