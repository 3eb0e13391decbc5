import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import { loadItems, loadPoints } from '../data.js';
import { type FacetColouring, facetColouring } from '../facet-colours.js';
import {
  describeFacetMeasure,
  type FacetMatches,
  formatFacetMeasure,
  parseFacetMeasure,
} from '../facets.js';
import {
  drawLabels,
  drawPoints,
  HitGrid,
  IDENTITY,
  type MapLayer,
  parseColour,
  pointsInRect,
  robustPositions,
  type Transform,
  toScreen,
  zoomAt,
} from '../map-draw.js';
import { type Band, useMapGestures } from '../map-gestures.js';
import { clusterCentres, labelledClusters } from '../map-labels.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, plural } from '../text.js';
import { useAsync } from '../use-async.js';
import { useClusterFacets } from '../use-cluster-facets.js';
import { useFacetFilter } from '../use-facet-filter.js';
import { useWidth } from '../use-width.js';
import { FacetFilterBar } from './facet-filter.js';
import { FacetLegend } from './facet-legend.js';
import { FacetMeasurePicker } from './facet-measure.js';
import { MapPlaces } from './map-places.js';
import { MapSelection } from './map-selection.js';
import { PAGE_SIZE } from './members.js';
import '../views.css';

interface Hover {
  readonly x: number;
  readonly y: number;
  readonly position: number;
  /** Shown by a tap: the next tap on the same point opens it. */
  readonly tapped: boolean;
}

const BUTTON_ZOOM = 1.6;

/**
 * Every item at its place on the run's 2-D map, coloured by top-level cluster and named by
 * cluster at the current zoom. Zoom and pan with wheel, pinch, drag or the buttons; hovering (or a
 * tap) previews an item, a click (or a second tap) opens it; a band selection lists the items in it.
 */
export function MapView({ model, route, run }: { model: Model; route: Route; run: string }) {
  const points = useAsync(() => loadPoints(run, model.index), [run, model]);
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(box);
  // The whole map stays in view under the header, whatever the window's shape.
  const height = Math.round(Math.max(280, Math.min(width, window.innerHeight - 260)));
  const selected = model.cluster(route.cluster);
  const [transform, setTransform] = useState<Transform>(IDENTITY);
  const [hover, setHover] = useState<Hover | null>(null);
  const [selecting, setSelecting] = useState(false);
  const [band, setBand] = useState<Band | null>(null);
  const [selection, setSelection] = useState<number[] | null>(null);
  const [drawn, setDrawn] = useState({ points: 0, labels: [] as string[] });
  const filter = useFacetFilter(model, route, run);
  const matches = filter.state === 'ready' ? filter.matches : undefined;
  const measure = parseFacetMeasure(route.colour);
  const facetsOf = useClusterFacets(model, run, measure !== undefined);
  const colouring = useMemo(
    () =>
      measure &&
      facetsOf &&
      facetColouring(
        model.baseColours().map((b) => b.cluster),
        measure,
        facetsOf,
      ),
    [model, route.colour, facetsOf],
  );
  const palette = useMemo(
    () =>
      colouring
        ? colouring.colours.map(parseColour)
        : model.roots.map((r) => parseColour(model.colour(r))),
    [model, colouring],
  );
  const positions = useMemo(
    () => (points.state === 'done' ? robustPositions(points.value) : undefined),
    [points],
  );
  const style = useMemo(
    () =>
      positions &&
      pointStyle(model, positions.length / 2, {
        selected,
        partition: route.part,
        colouring,
        matches,
      }),
    [model, positions, selected, route.part, colouring, matches],
  );
  const layer = useMemo<MapLayer | undefined>(
    () => positions && style && { screen: toScreen(positions, width, height, transform), ...style },
    [positions, style, width, height, transform],
  );
  const centres = useMemo(() => positions && clusterCentres(model, positions), [model, positions]);
  const named = useMemo(
    () => labelledClusters(model, transform.k, selected, route.part),
    [model, transform.k, selected, route.part],
  );
  // A new cluster or partition starts from the whole map.
  useEffect(() => {
    setTransform(IDENTITY);
    setSelection(null);
  }, [selected, route.part]);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context || !layer || !centres) return;
    const ratio = window.devicePixelRatio || 1;
    element.width = Math.round(width * ratio);
    element.height = Math.round(height * ratio);
    const drawnPoints = drawPoints(context, layer, palette, ratio);
    const at = (c: VizCluster) => {
      const centre = centres.get(c) ?? [0, 0];
      const xy = toScreen(Float32Array.from(centre), width, height, transform);
      return { x: xy[0] as number, y: xy[1] as number, text: c.name || `Cluster ${c.id}` };
    };
    setDrawn({ points: drawnPoints, labels: drawLabels(context, named.map(at), ratio) });
  }, [layer, palette, width, height, centres, named, transform]);

  const grid = useRef<{ layer: MapLayer; grid: HitGrid } | null>(null);
  const pointAt = (x: number, y: number) => {
    if (!layer) return undefined;
    // Built on first use after each zoom or pan, not on every frame of one.
    if (grid.current?.layer !== layer) grid.current = { layer, grid: new HitGrid(layer, width) };
    return grid.current.grid.nearest(x, y);
  };
  const open = (position: number) => {
    const base = model.baseAt(position);
    if (!base) return;
    const page = Math.floor((position - base.start) / PAGE_SIZE) + 1;
    const cluster = { level: 0, id: base.id };
    loadItems(run, model.index, position, position + 1).then(([item]) => {
      // Page numbers count every member: the item opens without the facet filter.
      location.hash = hrefFor(route, {
        cluster,
        page,
        facet: undefined,
        ...(item ? { item: item.id } : {}),
      });
    });
  };
  const gestures = useMapGestures({
    transform,
    setTransform,
    selecting,
    onBand(next, done) {
      setBand(done ? null : next);
      if (done && next && layer) {
        setSelection(pointsInRect(layer, next));
        setSelecting(false);
      }
    },
    onHover(x, y) {
      const position = pointAt(x, y);
      setHover(position === undefined ? null : { x, y, position, tapped: false });
    },
    onTap(x, y, touch) {
      const position = pointAt(x, y);
      if (position === undefined) return setHover(null);
      if (!touch || (hover?.tapped && hover.position === position)) return open(position);
      setHover({ x, y, position, tapped: true });
    },
  });
  const zoomBy = (factor: number) => setTransform(zoomAt(transform, factor, width / 2, height / 2));
  const centreOn = (c: VizCluster) => {
    const centre = centres?.get(c);
    if (!centre) return;
    const k = 4;
    const [fx, fy] = toScreen(Float32Array.from(centre), width, height);
    setTransform({ k, x: width / 2 - k * (fx as number), y: height / 2 - k * (fy as number) });
    box.current?.scrollIntoView({ block: 'nearest' });
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
        {count(model.total)} items placed by similarity ({model.index.map.method}); the few outlying
        ones are pulled in at the edges. Scroll or pinch to zoom, drag to pan. Hover or tap a point
        for its summary; click or tap it again to open it.
      </p>
      <FacetFilterBar
        model={model}
        route={route}
        filter={filter}
        of={{ start: 0, size: model.total }}
      />
      <div class="map-tools">
        <button type="button" onClick={() => zoomBy(BUTTON_ZOOM)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoomBy(1 / BUTTON_ZOOM)}>
          Zoom out
        </button>
        <button
          type="button"
          onClick={() => setTransform(IDENTITY)}
          disabled={transform === IDENTITY}
        >
          Reset view
        </button>
        <button type="button" aria-pressed={selecting} onClick={() => setSelecting(!selecting)}>
          Select an area
        </button>
        <FacetMeasurePicker
          model={model}
          route={route}
          field="colour"
          label="Colour by"
          none="top-level cluster"
        />
        <span class="muted" aria-live="polite">
          {selecting ? 'Drag over the map to select.' : `Zoom ${transform.k.toFixed(1)}×`}
        </span>
      </div>
      <div ref={box} class="map-box">
        {points.state === 'failed' && <p class="error">Cannot load the map: {points.error}</p>}
        <canvas
          ref={canvas}
          style={{ width: `${width}px`, height: `${height}px`, touchAction: 'none' }}
          data-testid="map-canvas"
          data-drawn={drawn.points}
          data-labels={drawn.labels.join('\n')}
          data-zoom={transform.k}
          role="img"
          data-colour={colouring ? formatFacetMeasure(colouring.measure) : ''}
          aria-label={`Map of ${plural(model.total, 'item')} coloured by ${colouring ? describeFacetMeasure(colouring.measure) : 'top-level cluster'}; named: ${drawn.labels.join(', ')}`}
          {...gestures}
          onPointerLeave={() => setHover((h) => (h?.tapped ? h : null))}
          class={selecting ? 'selecting' : hover ? 'pointing' : undefined}
        />
        {band && (
          <div
            class="band"
            style={{
              left: `${Math.min(band.x0, band.x1)}px`,
              top: `${Math.min(band.y0, band.y1)}px`,
              width: `${Math.abs(band.x1 - band.x0)}px`,
              height: `${Math.abs(band.y1 - band.y0)}px`,
            }}
          />
        )}
        {hover && <Tooltip hover={hover} model={model} run={run} width={width} />}
      </div>
      {selection && (
        <MapSelection
          model={model}
          route={route}
          run={run}
          positions={selection}
          onClear={() => setSelection(null)}
        />
      )}
      {colouring && <FacetLegend colouring={colouring} />}
      {measure && facetsOf && !colouring && (
        <p class="muted">No cluster has a value for {describeFacetMeasure(measure)}.</p>
      )}
      <Legend model={model} route={route} selected={selected} swatches={!colouring} />
      {centres && (
        <MapPlaces
          model={model}
          route={route}
          clusters={named}
          centres={centres}
          onShow={centreOn}
        />
      )}
    </section>
  );
}

/**
 * Palette index and emphasis per point: the selected cluster and partition stand out. Colours
 * are the top-level cluster's, or the base cluster's step of a facet colouring.
 */
function pointStyle(
  model: Model,
  n: number,
  shown: {
    selected: VizCluster | undefined;
    partition: string | undefined;
    colouring: FacetColouring | undefined;
    /** Items the facet filter keeps; the others are faded like other partitions'. */
    matches: FacetMatches | undefined;
  },
): Omit<MapLayer, 'screen'> {
  const { selected, partition, colouring, matches } = shown;
  const colour = new Uint16Array(n);
  const emphasis = new Uint8Array(n);
  const rootIndex = new Map(model.roots.map((r, i) => [r, i]));
  const inSelection = (p: number) =>
    !selected || (p >= selected.start && p < selected.start + selected.size);
  for (const { cluster, start, end } of model.baseColours()) {
    const palette = colouring ? colouring.step(cluster) : (rootIndex.get(model.top(cluster)) ?? 0);
    const visible = !partition || cluster.partition === partition;
    for (let p = start; p < Math.min(end, n); p++) {
      colour[p] = palette;
      emphasis[p] = visible && inSelection(p) && (!matches || matches.has(p)) ? 2 : 1;
    }
  }
  return { colour, emphasis };
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
      {hover.tapped && <p class="muted">Tap it again to open.</p>}
    </div>
  );
}

function Legend(props: {
  model: Model;
  route: Route;
  selected?: VizCluster | undefined;
  /** Off while the map is coloured by a facet: the cluster colours are not on it then. */
  swatches: boolean;
}) {
  const { model, route, selected, swatches } = props;
  const roots = model.visibleRoots(route.part);
  return (
    <nav class="legend" aria-label="Top-level clusters on the map">
      <ul>
        {roots.map((root) => (
          <li key={root.id}>
            <a
              href={hrefFor(route, { view: 'map', cluster: { level: root.level, id: root.id } })}
              aria-current={selected === root ? 'true' : undefined}
              title={root.name}
            >
              {swatches && (
                <span
                  class="swatch"
                  style={{ background: model.colour(root) }}
                  aria-hidden="true"
                />
              )}
              {/* Long names wrap to two lines and end in an ellipsis; the title holds all of it. */}
              <span class="legend-name">
                {root.name} ({count(root.size)})
              </span>
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
