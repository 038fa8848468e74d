import { stageSuite } from './stage-suite.js';

stageSuite('dev');
