import { runAwsScaleBench } from './aws-scale.js';
import { runEmbedSpeedBench } from './embed-speed.js';
import { runEmbedderBench } from './embedders.js';
import { runKmeansBench } from './kmeans.js';
import { runLangSmithScaleBench } from './langsmith-scale.js';
import { runModelCostBench } from './model-costs.js';
import { runNamingBench } from './naming.js';
import { runOffline100kBench } from './offline-100k.js';
import { runPipelineBench } from './pipeline.js';
import { runQualityBench } from './quality.js';
import { runRateLimitBench } from './rate-limit.js';
import { runViewerBench } from './viewer.js';

/**
 * `npm run bench [-- pipeline quality kmeans …]`: prints figures, each beside its goal where it
 * has one; nothing here passes or fails. With no names every bench runs except the ones in
 * `ON_REQUEST`, which take a quarter of an hour or more on two cores.
 */
const benches: Record<string, () => Promise<unknown>> = {
  pipeline: () => runPipelineBench(),
  quality: () => runQualityBench(),
  kmeans: () => runKmeansBench(),
  embedders: () => runEmbedderBench(),
  'embed-speed': () => runEmbedSpeedBench(),
  viewer: () => runViewerBench(),
  'rate-limit': () => runRateLimitBench(),
  'aws-scale': () => runAwsScaleBench(),
  'model-costs': () => runModelCostBench(),
  naming: () => runNamingBench(),
  'langsmith-scale': () => runLangSmithScaleBench(),
  'offline-100k': () => runOffline100kBench(),
};

const ON_REQUEST = new Set(['offline-100k']);

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = Object.keys(benches).filter((name) => !ON_REQUEST.has(name));
for (const name of chosen.length > 0 ? chosen : all) {
  const bench = benches[name];
  if (!bench)
    throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(benches).join(', ')}`);
  await bench();
}
