// Temporary (not committed): a runtime whose services lack one route and the upload check.
import { services } from '../../../services/index.js';
import { startRuntime } from '../runtime.js';

const broken = services.map((s) => ({
  ...s,
  routes:
    s.name === 'talent' ? s.routes.filter((r) => r.routeKey !== 'GET /talent/calendar/{year}') : s.routes,
  subscriptions:
    s.name === 'resources'
      ? s.subscriptions.filter((x) => x.name !== 'library-object-created')
      : s.subscriptions,
}));
const rt = await startRuntime({ services: broken, dataDir: '/tmp/breakrt', port: 3902 });
console.log('broken runtime up', rt.url);
process.on('SIGTERM', async () => {
  await rt.stop();
  process.exit(0);
});
