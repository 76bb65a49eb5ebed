import { createPersonalizer } from 'localrank';
import { run } from './scenario.js';

run(createPersonalizer);
