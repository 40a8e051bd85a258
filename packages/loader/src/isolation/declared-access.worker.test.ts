import { defineDeclaredAccess } from './__fixtures__/define-declared-access';
import { workerTier } from './__fixtures__/isolated-plugin-harness';

defineDeclaredAccess(workerTier);
