import { useRef } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, percent } from '../text.js';
import { type Rect, squarify } from '../treemap-layout.js';
import { useWidth } from '../use-width.js';
import { Breadcrumb } from './breadcrumb.js';

const LABEL_HEIGHT = 20;
const CHAR_WIDTH = 7;

/**
 * The hierarchy as nested rectangles, two levels at a time below the focused cluster; a click
 * focuses a cluster with children, or opens a base cluster's page.
 */
export function Treemap({ model, route }: { model: Model; route: Route; run: string }) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const height = Math.round(Math.min(640, Math.max(300, width * 0.62)));
  const selected = model.cluster(route.cluster);
  // A base cluster has nothing inside: show it among its siblings instead.
  const focus = selected?.level === 0 ? model.parent(selected) : selected;
  const shown = focus ? model.children(focus) : model.visibleRoots(route.part);
  const whole = shown.reduce((sum, c) => sum + c.size, 0);
  const rects = squarify(
    shown.map((c) => c.size),
    { x: 0, y: 0, w: width, h: height },
  );
  const link = (c: VizCluster) => {
    const cluster = { level: c.level, id: c.id };
    return c.level > 0 ? hrefFor(route, { view: 'treemap', cluster }) : hrefFor(route, { cluster });
  };
  return (
    <section aria-labelledby="treemap-heading" class="treemap">
      <Breadcrumb model={model} route={route} cluster={focus} view="treemap" />
      <h1 id="treemap-heading">{focus ? focus.name : 'All clusters'}</h1>
      <p class="muted">
        Area is the number of items. Select a cluster to look inside it; base clusters open their
        page.
        {focus && (
          <>
            {' '}
            <a href={hrefFor(route, { cluster: { level: focus.level, id: focus.id } })}>
              Open the page of “{focus.name}”
            </a>
          </>
        )}
      </p>
      <div ref={box} class="treemap-box">
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
          <title>{`Treemap of ${focus ? `“${focus.name}”` : 'all clusters'}`}</title>
          {shown.map((c, i) => {
            const r = rects[i] as Rect;
            const inner = {
              x: r.x + 2,
              y: r.y + LABEL_HEIGHT,
              w: r.w - 4,
              h: r.h - LABEL_HEIGHT - 2,
            };
            const children = inner.w > 24 && inner.h > 24 ? model.children(c) : [];
            const childRects = squarify(
              children.map((k) => k.size),
              inner,
            );
            const colour = model.colour(c);
            return (
              <g key={`${c.level}.${c.id}`} class={selected === c ? 'selected' : undefined}>
                <a href={link(c)} aria-label={`${c.name}: ${count(c.size)} items`}>
                  <title>{`${c.name} — ${count(c.size)} items (${percent(c.size, whole)})`}</title>
                  <rect x={r.x} y={r.y} width={r.w} height={r.h} fill={colour} class="outer" />
                  <Label rect={r} text={`${c.name} · ${percent(c.size, whole)}`} />
                </a>
                {children.map((k, j) => {
                  const kr = childRects[j] as Rect;
                  return (
                    <a
                      key={`${k.level}.${k.id}`}
                      href={link(k)}
                      aria-label={`${k.name}: ${count(k.size)} items`}
                    >
                      <title>{`${k.name} — ${count(k.size)} items`}</title>
                      <rect
                        x={kr.x}
                        y={kr.y}
                        width={kr.w}
                        height={kr.h}
                        fill={colour}
                        class="inner"
                      />
                      {kr.h > 30 && <Label rect={kr} text={k.name} />}
                    </a>
                  );
                })}
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}

/** A name cut to the rectangle's width; the full name is in the tooltip. */
function Label({ rect, text }: { rect: Rect; text: string }) {
  const fits = Math.floor((rect.w - 8) / CHAR_WIDTH);
  if (fits < 3 || rect.h < 16) return null;
  const shown = text.length > fits ? `${text.slice(0, fits - 1)}…` : text;
  return (
    <text x={rect.x + 5} y={rect.y + 14} class="label">
      {shown}
    </text>
  );
}
