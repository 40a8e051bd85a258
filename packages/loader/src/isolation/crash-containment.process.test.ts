import { defineCrashContainment } from './__fixtures__/define-crash-containment';
import { processTier } from './__fixtures__/isolated-plugin-harness';

defineCrashContainment(processTier);
