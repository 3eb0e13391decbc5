/** Small vector helpers shared by the clustering stages. Vectors are unit length unless noted. */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function normalize(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

/** Unit-length mean of the selected vectors, optionally weighted. */
export function meanVector(
  vectors: readonly Float32Array[],
  indices: readonly number[],
  weights?: readonly number[],
): Float32Array {
  const first = vectors[indices[0] as number];
  const mean = new Float32Array(first?.length ?? 0);
  indices.forEach((index, j) => {
    const vector = vectors[index] as Float32Array;
    const w = weights?.[j] ?? 1;
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) + w * (vector[i] as number);
  });
  return normalize(mean);
}

/** The selected indices ordered from most to least similar to `centre`. */
export function byCloseness(
  vectors: readonly Float32Array[],
  indices: readonly number[],
  centre: Float32Array,
): number[] {
  return indices
    .map((index) => ({ index, score: dot(vectors[index] as Float32Array, centre) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((r) => r.index);
}
