/**
 * The paper's statistics (METHODS.md §1.6) over scored prompts: per source, base vs tuned
 * instruction scores (Welch one-sided, H1 base < tuned); followed vs unfollowed per model
 * (H1 unfollowed < followed; responses under 5 tokens dropped); mean position profiles.
 */
import { meanProfile } from '../scores/index.ts';
import type { ScoredItem } from './scored-prompt.ts';
import { meanSd, welchLess, type WelchResult } from './welch.ts';

export const MIN_RESPONSE_TOKENS = 5;

type Summary = { mean: number; sd: number; n: number };

export interface SourceStats {
  source: string;
  baseVsTuned?: { base: Summary; tuned: Summary; baseModel: string; tunedModel: string; welch: WelchResult | null };
  followed: { role: string; model: string; followed: Summary; unfollowed: Summary; welch: WelchResult | null }[];
  profiles: { role: string; model: string; prompts: number; profile: number[] | null }[];
}

export function summarize(items: ScoredItem[]): SourceStats[] {
  const sources = [...new Set(items.map((i) => i.source))].sort();
  return sources.map((source) => {
    const inSource = items.filter((i) => i.source === source);
    const byRole = (role: string) => inSource.filter((i) => i.role === role);
    const scores = (xs: ScoredItem[]) => xs.filter((i) => i.instructionScore !== undefined).map((i) => i.instructionScore!);
    const stats: SourceStats = { source, followed: [], profiles: [] };
    const base = byRole('base');
    const tuned = byRole('tuned');
    if (scores(base).length > 0 && scores(tuned).length > 0) {
      stats.baseVsTuned = { base: meanSd(scores(base)), tuned: meanSd(scores(tuned)), baseModel: base[0].model, tunedModel: tuned[0].model, welch: welchLess(scores(base), scores(tuned)) };
    }
    for (const [role, group] of [['base', base], ['tuned', tuned]] as const) {
      if (group.length === 0) continue;
      const labelled = group.filter((i) => i.followed !== undefined && i.responseLength >= MIN_RESPONSE_TOKENS);
      const followed = scores(labelled.filter((i) => i.followed));
      const unfollowed = scores(labelled.filter((i) => !i.followed));
      if (followed.length > 0 && unfollowed.length > 0) {
        stats.followed.push({ role, model: group[0].model, followed: meanSd(followed), unfollowed: meanSd(unfollowed), welch: welchLess(unfollowed, followed) });
      }
      const profiles = group.map((i) => i.profile);
      stats.profiles.push({ role, model: group[0].model, prompts: profiles.filter((p) => p !== null).length, profile: meanProfile(profiles) });
    }
    return stats;
  });
}
