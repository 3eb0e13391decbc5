import { useRef } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import { type IcicleCell, icicle } from '../icicle-layout.js';
import { hrefFor } from '../route.js';
import { count, percent } from '../text.js';
import { useWidth } from '../use-width.js';
import { Breadcrumb } from './breadcrumb.js';
import type { ViewProps } from './lazy-view.js';
import '../views.css';

const CHAR_WIDTH = 6.8;
const LINE = 14;

/**
 * Every level at once as an icicle: columns from the top level to the base clusters, heights by
 * items. Selecting a cluster zooms into it; selecting the zoomed cluster zooms back out; base
 * clusters open their page.
 */
export function HierarchyView({ model, route }: ViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const height = Math.round(Math.min(820, Math.max(420, window.innerHeight - 230)));
  const selected = model.cluster(route.cluster);
  // A base cluster has nothing to zoom into: show it among its siblings.
  const focus = selected?.level === 0 ? model.parent(selected) : selected;
  const cells = icicle(model, focus, model.visibleRoots(route.part), width, height);
  const whole = focus?.size ?? model.visibleRoots(route.part).reduce((s, c) => s + c.size, 0);
  const link = (c: VizCluster) => {
    if (c.level === 0) return hrefFor(route, { cluster: { level: 0, id: c.id } });
    const up = c === focus ? model.parent(c) : c;
    return hrefFor(route, {
      view: 'hierarchy',
      ...(up ? { cluster: { level: up.level, id: up.id } } : {}),
    });
  };
  const action = (c: VizCluster) =>
    c.level === 0 ? 'open its page' : c === focus ? 'zoom out' : 'zoom in';
  return (
    <section aria-labelledby="hierarchy-heading" class="hierarchy">
      <Breadcrumb model={model} route={route} cluster={focus} view="hierarchy" />
      <h1 id="hierarchy-heading">{focus ? `Hierarchy: ${focus.name}` : 'Hierarchy'}</h1>
      <p class="muted">
        Columns are levels, from the top clusters on the left to the base clusters on the right;
        height is the number of items. Select a cluster to zoom in, the leftmost one to zoom out;
        base clusters open their page.
      </p>
      <div ref={box} class="hierarchy-box">
        <svg
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          data-testid="hierarchy"
        >
          <title>{`Hierarchy of ${focus ? `“${focus.name}”` : 'all clusters'}`}</title>
          {cells.map((cell) => (
            <a
              key={`${cell.cluster.level}.${cell.cluster.id}`}
              href={link(cell.cluster)}
              aria-label={`${cell.cluster.name}: ${count(cell.cluster.size)} items, ${percent(cell.cluster.size, whole)}; ${action(cell.cluster)}`}
              data-testid="hierarchy-cell"
            >
              <title>{`${cell.cluster.name} — ${count(cell.cluster.size)} items (${percent(cell.cluster.size, whole)})`}</title>
              <rect
                x={cell.x}
                y={cell.y}
                width={Math.max(0, cell.w)}
                height={cell.h}
                fill={model.colour(cell.cluster)}
                fill-opacity={0.35 + 0.65 * (cell.cluster.level / Math.max(1, model.topLevel))}
              />
            </a>
          ))}
          {/* Names drawn over the cells, apart from the links: their labels name the whole cluster. */}
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: a group of text takes no focus */}
          <g aria-hidden="true">
            {cells.map((cell) => (
              <CellLabel
                key={`${cell.cluster.level}.${cell.cluster.id}`}
                cell={cell}
                share={percent(cell.cluster.size, whole)}
              />
            ))}
          </g>
        </svg>
      </div>
    </section>
  );
}

/** The name over as many lines as the cell holds (at most three), then the share. */
function CellLabel({ cell, share }: { cell: IcicleCell; share: string }) {
  const fits = Math.floor((cell.w - 10) / CHAR_WIDTH);
  const lines = Math.min(3, Math.floor((cell.h - 4) / LINE));
  if (fits < 4 || lines < 1) return null;
  const words = (cell.cluster.name || `Cluster ${cell.cluster.id}`).split(/\s+/);
  const shown: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= fits) line = next;
    else {
      if (line) shown.push(line);
      line = word.length > fits ? `${word.slice(0, fits - 1)}…` : word;
    }
  }
  if (line) shown.push(line);
  const room = lines > 1 && shown.length < lines ? [...shown, share] : shown;
  const kept = room.slice(0, lines);
  if (room.length > lines) kept[lines - 1] = `${(kept[lines - 1] ?? '').slice(0, fits - 1)}…`;
  return (
    <text x={cell.x + 5} y={cell.y + 12} class="label">
      {kept.map((text, i) => (
        <tspan
          key={i}
          x={cell.x + 5}
          dy={i === 0 ? 0 : LINE}
          class={text === share ? 'small' : undefined}
        >
          {text}
        </tspan>
      ))}
    </text>
  );
}
