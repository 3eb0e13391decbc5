import type { VizCluster } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count } from '../text.js';

const pct = (x: number) => `${Math.round(100 * x)}%`;

/**
 * The clusters the map names, as a table with their places: what the canvas shows, for keyboards
 * and screen readers. "Zoom to" brings a cluster to the middle of the map.
 */
export function MapPlaces(props: {
  model: Model;
  route: Route;
  clusters: readonly VizCluster[];
  centres: ReadonlyMap<VizCluster, readonly [number, number]>;
  onShow: (cluster: VizCluster) => void;
}) {
  const { model, route, clusters, centres, onShow } = props;
  return (
    <details class="map-places">
      <summary>Clusters named on the map and where they are ({clusters.length})</summary>
      <table data-testid="map-places">
        <caption class="muted">
          Where most of each cluster’s items are, from the map’s left and top edges.
        </caption>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Items</th>
            <th scope="col">Place</th>
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {clusters.map((c) => {
            const [x, y] = centres.get(c) ?? [0, 0];
            return (
              <tr key={`${c.level}.${c.id}`}>
                <th scope="row">
                  <span class="swatch" style={{ background: model.colour(c) }} aria-hidden="true" />
                  <a href={hrefFor(route, { cluster: { level: c.level, id: c.id } })}>{c.name}</a>
                </th>
                <td class="num">{count(c.size)}</td>
                <td class="num">
                  {pct(x)} across, {pct(y)} down
                </td>
                <td>
                  <button type="button" onClick={() => onShow(c)} aria-label={`Zoom to ${c.name}`}>
                    Zoom to
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
