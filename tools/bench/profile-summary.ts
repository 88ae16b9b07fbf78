import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

/** Where the time went: a package or source folder for each frame (native frames charged to their JS caller). */
const bucketOf = (url: string): string => {
  const modules = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/g);
  if (modules) return modules[modules.length - 1].replace('node_modules/', '');
  if (url.startsWith('node:')) return url.replace('node:internal/', 'node:');
  return url.match(/(libs|services|tools)\/[^/]+\/src\/[^/]+/)?.[0] ?? url.slice(-50);
};

/** Prints, per .cpuprofile in `dir` (one per service process), the busiest packages after start-up. */
export function summariseProfiles(dir: string, skipSeconds = 15, top = 15): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const label = (id: number): string => {
      let node = byId.get(id);
      const name = node!.callFrame.functionName;
      if (['(garbage collector)', '(idle)', '(program)', '(root)'].includes(name)) return name;
      while (node && !node.callFrame.url) node = byId.get(parent.get(node.id)!);
      return node ? bucketOf(node.callFrame.url) : '(native)';
    };
    const totals = new Map<string, number>();
    let t = profile.startTime;
    let busy = 0;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      if (t - profile.startTime < skipSeconds * 1e6) return;
      const l = label(id);
      if (l === '(idle)') return;
      busy += profile.timeDeltas[i];
      totals.set(l, (totals.get(l) ?? 0) + profile.timeDeltas[i]);
    });
    console.log(`${file}: ${Math.round(busy / 1000)} ms busy after the first ${skipSeconds} s`);
    for (const [l, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${String(Math.round(us / 1000)).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${l}`);
    }
  }
}
