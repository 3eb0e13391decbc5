// Worker entry that can load TypeScript: registers tsx inside this thread, then imports the
// module named by the spawner. Plain JS so that it runs before any loader exists.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.moduleUrl);
