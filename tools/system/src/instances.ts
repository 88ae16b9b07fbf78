/** The four services of docs/architecture.md section 2. */
export const services = ['identity', 'calls', 'routing', 'audit'] as const;
export type Service = (typeof services)[number];
/** The four services and the carrier simulator, each a process of its own. */
export type Process = Service | 'carrier-sim';
export const processes: readonly Process[] = [...services, 'carrier-sim'];

/**
 * One running process: a service's first replica is named like the service (`routing`, also
 * `routing#1`), each further one `routing#2`, `routing#3`, ...; the carrier simulator is one.
 */
export type Instance = Process | `${Service}#${number}`;

/** The replicas beyond each service's first (`routing#2`, ...), from the counts asked for (whole numbers from 1). */
export const extraReplicas = (counts: Readonly<Partial<Record<Service, number>>> = {}): Instance[] =>
  services.flatMap((service) => {
    const count = counts[service] ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`replicas.${service}: expected a whole number from 1, got ${count}`);
    return Array.from({ length: count - 1 }, (_, i): Instance => `${service}#${i + 2}`);
  });

export const serviceOf = (instance: Instance): Process => instance.split('#')[0] as Process;

/** `routing#1` is `routing`; a name this system does not run is a mistake in the test, said at once. */
export const known = (instances: readonly Instance[], name: Instance): Instance => {
  const instance = /^[^#]+#1$/.test(name) ? serviceOf(name) : name;
  if (!instances.includes(instance)) throw new Error(`no process ${name} in this system (it runs ${instances.join(', ')})`);
  return instance;
};
