import { render } from 'preact';
import { App } from './app.js';
import { loadIndex } from './data.js';
import { parseRoute } from './route.js';
import './styles.css';

// A link that names its run starts the index download now instead of after runs.json; the
// cached promise is what the run's screen later awaits.
const linked = parseRoute(location.hash).run;
if (linked) loadIndex(linked).catch(() => undefined);

render(<App />, document.getElementById('app') as HTMLElement);
