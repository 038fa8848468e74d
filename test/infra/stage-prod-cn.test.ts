import { stageSuite } from './stage-suite.js';

stageSuite('prod-cn');
