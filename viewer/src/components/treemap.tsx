import { useRef } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import { inkOn, tint } from '../contrast.js';
import { type Model, paletteColour } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, percent } from '../text.js';
import { type Rect, squarify } from '../treemap-layout.js';
import { useWidth } from '../use-width.js';
import { Breadcrumb } from './breadcrumb.js';

const LABEL_HEIGHT = 20;
const CHAR_WIDTH = 7;
/** How far a child's box is lightened from its parent's colour. */
const CHILD_TINT = 0.45;

/**
 * The hierarchy as nested rectangles, two levels at a time below the focused cluster; a click
 * focuses a cluster with children, or opens a base cluster's page.
 */
export function Treemap({ model, route }: { model: Model; route: Route; run: string }) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const height = Math.round(Math.min(640, Math.max(300, width * 0.62)));
  const selected = model.cluster(route.cluster);
  // A base cluster has nothing inside: show it among its siblings instead. A single child that
  // repeats the name would fill the whole box: show what is inside it.
  const chosen = selected?.level === 0 ? model.parent(selected) : selected;
  const end = chosen && model.chainEnd(chosen);
  const focus = end && end.level > 0 ? end : chosen;
  const shown = focus ? model.children(focus) : model.visibleRoots(route.part);
  const whole = shown.reduce((sum, c) => sum + c.size, 0);
  const rects = squarify(
    shown.map((c) => c.size),
    { x: 0, y: 0, w: width, h: height },
  );
  // Inside one cluster every child shares its top-level colour: give each its own instead.
  const colourOf = (c: VizCluster, i: number) => (focus ? paletteColour(i) : model.colour(c));
  const link = (c: VizCluster) => {
    const cluster = { level: c.level, id: c.id };
    return c.level > 0 ? hrefFor(route, { view: 'treemap', cluster }) : hrefFor(route, { cluster });
  };
  return (
    <section aria-labelledby="treemap-heading" class="treemap">
      <Breadcrumb model={model} route={route} cluster={focus} view="treemap" />
      <h1 id="treemap-heading" class="clamp" title={focus?.name}>
        {focus ? focus.name : 'All clusters'}
      </h1>
      <p class="muted">
        Area is the number of items; each label starts with its share of the box it is in. Select a
        cluster to look inside it; base clusters open their page.
        {focus && (
          <>
            {' '}
            <a
              class="clamp"
              href={hrefFor(route, { cluster: { level: focus.level, id: focus.id } })}
              title={focus.name}
            >
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
            const colour = colourOf(c, i);
            const light = tint(colour, CHILD_TINT);
            return (
              <g key={`${c.level}.${c.id}`} class={selected === c ? 'selected' : undefined}>
                <Cell
                  cluster={c}
                  rect={r}
                  fill={colour}
                  share={percent(c.size, whole)}
                  href={link(c)}
                  kind="outer"
                />
                {children.map((k, j) => (
                  <Cell
                    key={`${k.level}.${k.id}`}
                    cluster={k}
                    rect={childRects[j] as Rect}
                    fill={light}
                    share={percent(k.size, c.size)}
                    href={link(k)}
                    kind="inner"
                  />
                ))}
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}

/**
 * One linked box. Its label starts with the share, so a narrow box cuts the name rather than the
 * figure, and its accessible name starts with the label's full text, so what a speech-input
 * user reads on screen is part of what they can say (WCAG 2.5.3).
 */
function Cell(props: {
  cluster: VizCluster;
  rect: Rect;
  fill: string;
  share: string;
  href: string;
  kind: 'outer' | 'inner';
}) {
  const { cluster, rect, fill, share, href, kind } = props;
  const label = `${share} · ${cluster.name}`;
  const room = kind === 'outer' || rect.h > 30;
  return (
    <a href={href} aria-label={`${label}, ${count(cluster.size)} items`}>
      <title>{`${cluster.name} — ${count(cluster.size)} items (${share})`}</title>
      <rect x={rect.x} y={rect.y} width={rect.w} height={rect.h} fill={fill} class={kind} />
      {room && <Label rect={rect} share={share} text={label} ink={inkOn(fill)} />}
    </a>
  );
}

/**
 * The label cut to the box's width: the share whole, then as many whole words of the name as fit
 * (a word cut in half would no longer be a word of the accessible name).
 */
function Label(props: { rect: Rect; share: string; text: string; ink: string }) {
  const { rect, share, text, ink } = props;
  const fits = Math.floor((rect.w - 8) / CHAR_WIDTH);
  if (fits < share.length || rect.h < 16) return null;
  const words = text
    .slice(0, fits)
    .replace(/[\p{L}\p{N}]*$/u, '')
    .replace(/[^\p{L}\p{N}]+$/u, '');
  const shown = text.length <= fits ? text : words.length > share.length ? `${words}…` : share;
  return (
    <text x={rect.x + 5} y={rect.y + 14} class="label" fill={ink}>
      {shown}
    </text>
  );
}
