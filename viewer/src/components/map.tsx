import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import { loadItems, loadPoints } from '../data.js';
import { drawPoints, HitGrid, type MapLayer, parseColour, toScreen } from '../map-draw.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, plural } from '../text.js';
import { useAsync } from '../use-async.js';
import { useWidth } from '../use-width.js';
import { PAGE_SIZE } from './members.js';

interface Hover {
  readonly x: number;
  readonly y: number;
  readonly position: number;
}

/**
 * Every item at its place on the run's 2-D map, coloured by top-level cluster. The selected
 * cluster (or partition) stands out; hovering shows a summary, a click opens the item's cluster.
 */
export function MapView({ model, route, run }: { model: Model; route: Route; run: string }) {
  const points = useAsync(() => loadPoints(run, model.index), [run, model]);
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  // The whole map stays in view under the header, whatever the window's shape.
  const height = Math.round(Math.max(280, Math.min(width, window.innerHeight - 230)));
  const selected = model.cluster(route.cluster);
  const [hover, setHover] = useState<Hover | null>(null);
  const palette = useMemo(() => model.roots.map((r) => parseColour(model.colour(r))), [model]);
  const layer = useMemo(
    () =>
      points.state === 'done'
        ? buildLayer(model, points.value, width, height, selected, route.part)
        : undefined,
    [model, points, width, height, selected, route.part],
  );
  const grid = useMemo(() => layer && new HitGrid(layer, width), [layer, width]);
  const [drawn, setDrawn] = useState(0);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context || !layer) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(width * ratio);
    element.height = Math.round(height * ratio);
    setDrawn(drawPoints(context, layer, palette, ratio));
  }, [layer, palette, width, height]);

  const pointAt = (event: MouseEvent) => grid?.nearest(event.offsetX, event.offsetY);
  const open = (position: number) => {
    const base = model.baseAt(position);
    if (!base) return;
    const page = Math.floor((position - base.start) / PAGE_SIZE) + 1;
    const cluster = { level: 0, id: base.id };
    loadItems(run, model.index, position, position + 1).then(([item]) => {
      location.hash = hrefFor(route, { cluster, page, ...(item ? { item: item.id } : {}) });
    });
  };

  if (!model.index.map) {
    return (
      <section class="map">
        <h1>Map</h1>
        <p>This run has no map: it was generated before maps were added. Run generate again.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="map-heading" class="map">
      <h1 id="map-heading">{selected ? `Map: ${selected.name}` : 'Map of all items'}</h1>
      <p class="muted">
        {count(model.total)} items placed by similarity ({model.index.map.method}). Hover for a
        summary; click to open the item in its cluster.
      </p>
      <div ref={box} class="map-box">
        {points.state === 'failed' && <p class="error">Cannot load the map: {points.error}</p>}
        <canvas
          ref={canvas}
          style={{ width: `${width}px`, height: `${height}px` }}
          data-testid="map-canvas"
          data-drawn={drawn}
          role="img"
          aria-label={`Map of ${plural(model.total, 'item')} coloured by top-level cluster`}
          onMouseMove={(e) => {
            const position = pointAt(e);
            setHover(position === undefined ? null : { x: e.offsetX, y: e.offsetY, position });
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const position = pointAt(e);
            if (position !== undefined) open(position);
          }}
          class={hover ? 'pointing' : undefined}
        />
        {hover && <Tooltip hover={hover} model={model} run={run} width={width} />}
      </div>
      <Legend model={model} route={route} selected={selected} />
    </section>
  );
}

function buildLayer(
  model: Model,
  points: Uint16Array,
  width: number,
  height: number,
  selected: VizCluster | undefined,
  partition: string | undefined,
): MapLayer {
  const n = points.length / 2;
  const colour = new Uint16Array(n);
  const emphasis = new Uint8Array(n);
  const rootIndex = new Map(model.roots.map((r, i) => [r, i]));
  const inSelection = (p: number) =>
    !selected || (p >= selected.start && p < selected.start + selected.size);
  for (const { cluster, start, end } of model.baseColours()) {
    const palette = rootIndex.get(model.top(cluster)) ?? 0;
    const visible = !partition || cluster.partition === partition;
    for (let p = start; p < Math.min(end, n); p++) {
      colour[p] = palette;
      emphasis[p] = visible && inSelection(p) ? 2 : 1;
    }
  }
  return { screen: toScreen(points, width, height), colour, emphasis };
}

function Tooltip(props: { hover: Hover; model: Model; run: string; width: number }) {
  const { hover, model, run, width } = props;
  const item = useAsync(
    () => loadItems(run, model.index, hover.position, hover.position + 1),
    [run, model, hover.position],
  );
  const base = model.baseAt(hover.position);
  const summary = item.state === 'done' ? item.value[0]?.summary : undefined;
  const left = Math.min(hover.x + 12, width - 280);
  return (
    <div
      class="tooltip"
      role="status"
      style={{ left: `${Math.max(0, left)}px`, top: `${hover.y + 12}px` }}
    >
      {base && (
        <p class="tooltip-cluster">
          <span class="swatch" style={{ background: model.colour(base) }} />
          {base.name}
        </p>
      )}
      <p>{summary ?? '…'}</p>
    </div>
  );
}

function Legend({ model, route, selected }: { model: Model; route: Route; selected?: VizCluster }) {
  const roots = model.visibleRoots(route.part);
  return (
    <nav class="legend" aria-label="Top-level clusters on the map">
      <ul>
        {roots.map((root) => (
          <li key={root.id}>
            <a
              href={hrefFor(route, { view: 'map', cluster: { level: root.level, id: root.id } })}
              aria-current={selected === root ? 'true' : undefined}
            >
              <span class="swatch" style={{ background: model.colour(root) }} aria-hidden="true" />
              {root.name} ({count(root.size)})
            </a>
          </li>
        ))}
      </ul>
      {selected && (
        <p>
          <a href={hrefFor(route, { view: 'map' })}>Show all clusters</a> ·{' '}
          <a href={hrefFor(route, { cluster: { level: selected.level, id: selected.id } })}>
            Open the page of “{selected.name}”
          </a>
        </p>
      )}
    </nav>
  );
}
