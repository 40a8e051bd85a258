import { defineCrashContainment } from './__fixtures__/define-crash-containment';
import { processTierWithoutOs } from './__fixtures__/isolated-plugin-harness';

defineCrashContainment(processTierWithoutOs);
