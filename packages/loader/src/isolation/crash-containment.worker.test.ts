import { defineCrashContainment } from './__fixtures__/define-crash-containment';
import { workerTier } from './__fixtures__/isolated-plugin-harness';

defineCrashContainment(workerTier);
