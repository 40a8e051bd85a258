import { defineDeclaredAccess } from './__fixtures__/define-declared-access';
import { processTierWithoutOs } from './__fixtures__/isolated-plugin-harness';

defineDeclaredAccess(processTierWithoutOs);
