/**
 * `npm run bundle`: every function bundled as CDK deploys it (bundles.ts), into `.build/`,
 * with its size and hash and the time the build took. `npm start` builds the same way itself.
 */
import { services } from '../../services/index.js';
import { buildBundles, describeBuild } from './bundles.js';

const build = await buildBundles({ services });
console.log(describeBuild(build).join('\n'));
console.log(`\n${Object.keys(build.bundles).length} bundles in ${build.tookMs} ms → ${build.dir}`);
