import type { VizCluster } from '../../lib/viz/format.js';
import type { Model } from './model.js';

export interface IcicleCell {
  readonly cluster: VizCluster;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Cells thinner than this are left out: nobody can see or point at them until zoomed in. */
const MIN_HEIGHT = 1;

/**
 * A horizontal icicle: one column per level from the focus (or the top) down to the base
 * clusters, each cluster as tall as its share of the column. Member order already lays every
 * cluster out as one contiguous range inside its parent's, so the partition layout is that range
 * scaled, with no layout library.
 */
export function icicle(
  model: Model,
  focus: VizCluster | undefined,
  roots: readonly VizCluster[],
  width: number,
  height: number,
): IcicleCell[] {
  const top = focus ? [focus] : roots;
  const levels = (focus?.level ?? model.topLevel) + 1;
  const column = width / levels;
  const total = top.reduce((sum, c) => sum + c.size, 0);
  const scale = total > 0 ? height / total : 0;
  const cells: IcicleCell[] = [];
  let offset = 0;
  for (const root of top) {
    const visit = (c: VizCluster) => {
      const h = c.size * scale;
      if (h < MIN_HEIGHT) return;
      const depth = root.level - c.level;
      cells.push({
        cluster: c,
        x: depth * column,
        y: (offset + c.start - root.start) * scale,
        w: column,
        h,
      });
      for (const child of model.children(c)) visit(child);
    };
    visit(root);
    offset += root.size;
  }
  return cells;
}
