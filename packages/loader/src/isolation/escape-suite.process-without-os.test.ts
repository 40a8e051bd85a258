import { defineEscapeSuite } from './__fixtures__/define-escape-suite';
import { processTierWithoutOs } from './__fixtures__/isolated-plugin-harness';

defineEscapeSuite(processTierWithoutOs);
