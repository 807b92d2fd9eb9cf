import { describeTopology } from './topology-scenarios.js';

// The dialects run as two files so vitest runs them side by side.
describeTopology('postgres');
