import { defineDeclaredAccess } from './__fixtures__/define-declared-access';
import { processTier } from './__fixtures__/isolated-plugin-harness';

defineDeclaredAccess(processTier);
