import { mulberry32, normalGenerator } from '../../lib/util/random.js';

/**
 * Unit vectors in `groups` well-separated directions, `perGroup` each, with small noise: data
 * whose right clustering is known in advance.
 */
export function blobVectors(groups: number, perGroup: number, dimensions = 16, seed = 1) {
  const rng = mulberry32(seed);
  const normal = normalGenerator(rng);
  const vectors: Float32Array[] = [];
  const truth: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < perGroup; i++) {
      const v = new Float32Array(dimensions);
      for (let d = 0; d < dimensions; d++) v[d] = (d % groups === g ? 3 : 0) + 0.2 * normal();
      const norm = Math.hypot(...v);
      vectors.push(v.map((x) => x / norm));
      truth.push(g);
    }
  }
  return { vectors, truth };
}
