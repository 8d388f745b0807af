/** Attribution methods by name. */
import type { AttributionMethod } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { ATTRIBUTION_METHODS } from '../options.ts';
import { gradient } from './gradient.ts';
import { occlusion, unitOcclusion } from './occlusion.ts';
import type { Attributor } from './types.ts';

const METHODS: Record<AttributionMethod, Attributor> = { occlusion, gradient, 'unit-occlusion': unitOcclusion };

export function attributorFor(name: string): Attributor {
  const method = METHODS[name as AttributionMethod];
  if (!method) throw new EngineError('bad-argument', `Unknown attribution method "${name}".`, `Use one of: ${ATTRIBUTION_METHODS.join(', ')}.`);
  return method;
}

export { ATTRIBUTION_METHODS };
