import { defineEscapeSuite } from './__fixtures__/define-escape-suite';
import { workerTier } from './__fixtures__/isolated-plugin-harness';

defineEscapeSuite(workerTier);
