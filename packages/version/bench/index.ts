import { printFigure } from './measure';
import { benchPathological } from './pathological';
import { benchResolveRegistry } from './resolve-registry';
import { benchSatisfiesThroughput } from './satisfies-throughput';

for (const figure of benchSatisfiesThroughput()) printFigure(figure);
for (const figure of await benchResolveRegistry()) printFigure(figure);
for (const figure of await benchPathological()) printFigure(figure);
