import { defineEscapeSuite } from '../src/isolation/__fixtures__/define-escape-suite';
import { processTier } from '../src/isolation/__fixtures__/isolated-plugin-harness';
import { redTeamAttempts } from '../src/isolation/__fixtures__/red-team-attempts';

// The red team's attempts against the process tier with every layer this machine offers, run like the escape suite.
defineEscapeSuite(processTier, { title: 'red team', attempts: redTeamAttempts, minimumAttempts: 24 });
