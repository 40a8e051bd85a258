import { defineEscapeSuite } from './__fixtures__/define-escape-suite';
import { processTier } from './__fixtures__/isolated-plugin-harness';

defineEscapeSuite(processTier);
