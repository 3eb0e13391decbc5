export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The worst aspect ratio of a row of areas laid along a side of this length. */
function worst(row: readonly number[], side: number): number {
  const total = row.reduce((a, b) => a + b, 0);
  let ratio = 0;
  for (const area of row) {
    ratio = Math.max(
      ratio,
      (side * side * area) / (total * total),
      (total * total) / (side * side * area),
    );
  }
  return ratio;
}

/**
 * Squarified treemap (Bruls, Huizing and van Wijk): rectangles for `values` (largest first)
 * filling `rect`, as close to squares as rows allow. Returned in the order of `values`.
 */
export function squarify(values: readonly number[], rect: Rect): Rect[] {
  const total = values.reduce((a, b) => a + Math.max(0, b), 0);
  if (total <= 0 || rect.w <= 0 || rect.h <= 0) return values.map(() => ({ ...rect, w: 0, h: 0 }));
  const scale = (rect.w * rect.h) / total;
  const areas = values.map((v) => Math.max(0, v) * scale);
  const out: Rect[] = [];
  let { x, y, w, h } = rect;
  let i = 0;
  while (i < areas.length) {
    const side = Math.min(w, h);
    const row = [areas[i] as number];
    let j = i + 1;
    while (j < areas.length && worst([...row, areas[j] as number], side) <= worst(row, side)) {
      row.push(areas[j] as number);
      j++;
    }
    const thickness = row.reduce((a, b) => a + b, 0) / side || 0;
    let offset = 0;
    for (const area of row) {
      const length = thickness > 0 ? area / thickness : 0;
      out.push(
        w >= h
          ? { x, y: y + offset, w: thickness, h: length }
          : { x: x + offset, y, w: length, h: thickness },
      );
      offset += length;
    }
    if (w >= h) {
      x += thickness;
      w -= thickness;
    } else {
      y += thickness;
      h -= thickness;
    }
    i = j;
  }
  return out;
}
