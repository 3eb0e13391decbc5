import { useMemo } from 'preact/hooks';
import { loadClusterFacets } from './data.js';
import type { ClusterFacetsOf } from './facets.js';
import type { Model } from './model.js';
import { useAsync } from './use-async.js';

/**
 * Every cluster's facet distributions, fetched once a screen needs them (`wanted`) and the run
 * has facets; undefined until then, or when the file cannot be loaded (nothing facet-based shows).
 */
export function useClusterFacets(
  model: Model,
  run: string,
  wanted: boolean,
): ClusterFacetsOf | undefined {
  const load = wanted && (model.index.facets?.length ?? 0) > 0;
  const loaded = useAsync(
    () => (load ? loadClusterFacets(run) : Promise.resolve(undefined)),
    [run, load],
  );
  return useMemo(() => {
    if (loaded.state !== 'done' || !loaded.value) return undefined;
    const { clusters } = loaded.value;
    return (c) => clusters[`${c.level}.${c.id}`];
  }, [loaded]);
}
