import { defineEscapeSuite } from '../src/isolation/__fixtures__/define-escape-suite';
import { processTierWithoutOs } from '../src/isolation/__fixtures__/isolated-plugin-harness';
import { redTeamAttempts } from '../src/isolation/__fixtures__/red-team-attempts';

// The red team's attempts against the process tier without the OS sandbox, run like the escape suite.
defineEscapeSuite(processTierWithoutOs, {
  title: 'red team',
  attempts: redTeamAttempts,
  minimumAttempts: 24,
});
