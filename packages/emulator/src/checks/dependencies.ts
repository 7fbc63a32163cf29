import type { FieldError } from '../contract.js';
import type { JobRequest } from '../generated/envoy.js';
import type { ProjectRecord } from '../store.js';

/**
 * Checks the dependencies of the jobs of a submit: every id known (in this request or already in the project),
 * no job depending on itself, no cycle.
 */
export function checkDependencies(
  jobs: readonly JobRequest[],
  existing: ProjectRecord | undefined,
  errors: FieldError[],
): void {
  const known = new Set([...jobs.map((j) => j.id), ...(existing?.jobs.map((j) => j.id) ?? [])]);
  for (const [i, job] of jobs.entries()) {
    (job.dependencies ?? []).forEach((d, k) => {
      const field = `project_request.jobs[${i}].dependencies[${k}]`;
      if (!known.has(d)) errors.push({ field, message: `unknown job id ${d}` });
      else if (d === job.id) errors.push({ field, message: 'a job cannot depend on itself' });
    });
  }
  const cyclic = inCycles(new Map(jobs.map((j) => [j.id, j.dependencies ?? []])));
  for (const [i, job] of jobs.entries()) {
    if (cyclic.has(job.id) && !(job.dependencies ?? []).includes(job.id)) {
      errors.push({
        field: `project_request.jobs[${i}].dependencies`,
        message: `job ${job.id} is part of a dependency cycle`,
      });
    }
  }
}

/**
 * The jobs that lie on a dependency cycle (self-dependencies included), found without recursion so that a chain
 * of any length is checked: Kahn's algorithm removes every job whose dependencies can all finish; of the jobs
 * left over, those that no other left-over job depends on are peeled off in turn; what remains is the cycles.
 */
export function inCycles(deps: ReadonlyMap<string, readonly string[]>): Set<string> {
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, list] of deps) {
    const inside = [...new Set(list)].filter((d) => deps.has(d));
    waitingOn.set(id, inside.length);
    for (const d of inside) {
      const l = dependents.get(d);
      if (l) l.push(id);
      else dependents.set(d, [id]);
    }
  }
  const ready = [...waitingOn].filter(([, n]) => n === 0).map(([id]) => id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    waitingOn.delete(id);
    for (const next of dependents.get(id) ?? []) {
      const n = (waitingOn.get(next) ?? 0) - 1;
      waitingOn.set(next, n);
      if (n === 0) ready.push(next);
    }
  }
  // Left over: jobs on a cycle and jobs that only wait on one. A job is on a cycle when it can reach itself;
  // walk the leftovers' dependency graph backwards from the ones nothing left over depends on.
  const left = new Set(waitingOn.keys());
  const onlyWaiting = new Set<string>();
  const outDegree = new Map<string, number>();
  for (const id of left) outDegree.set(id, (dependents.get(id) ?? []).filter((x) => left.has(x)).length);
  const leaves = [...left].filter((id) => outDegree.get(id) === 0);
  while (leaves.length > 0) {
    const id = leaves.pop() as string;
    onlyWaiting.add(id);
    for (const d of new Set(deps.get(id) ?? [])) {
      if (!left.has(d) || onlyWaiting.has(d)) continue;
      const n = (outDegree.get(d) ?? 0) - 1;
      outDegree.set(d, n);
      if (n === 0) leaves.push(d);
    }
  }
  return new Set([...left].filter((id) => !onlyWaiting.has(id)));
}
