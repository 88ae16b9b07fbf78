import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Kafka release CI proves the services on. 4.x: KRaft only, KIP-896's removed protocol versions. */
export const DEFAULT_KAFKA_VERSION = '4.1.1';
// Kafka logs through SLF4J 1.7; without a binding it prints nothing at all, so bring log4j2's.
const LOG4J_VERSION = '2.24.3';

/** A tool the script needs and the command that proves it is there. */
const requirements = [
  { tool: 'java', args: ['-version'], hint: 'Apache Kafka 4.x needs Java 17 or newer: install a JDK (e.g. `apt-get install openjdk-17-jre-headless`) or put `java` on PATH.' },
  { tool: 'mvn', args: ['-v'], hint: 'Maven fetches Kafka\'s jars from Maven Central on first use: install it (e.g. `apt-get install maven`) or put `mvn` on PATH.' },
] as const;

export class MissingToolError extends Error {}

/** Throws a MissingToolError naming the tool and how to get it. */
export function requireTool(tool: 'java' | 'mvn'): void {
  const r = requirements.find((x) => x.tool === tool)!;
  const probe = spawnSync(r.tool, r.args, { encoding: 'utf8' });
  if (probe.error) throw new MissingToolError(`${tool} not found. ${r.hint}`);
  if (probe.status !== 0) throw new MissingToolError(`\`${tool} ${r.args.join(' ')}\` failed (${probe.status}): ${(probe.stderr || probe.stdout).trim()}`);
}

const pom = (version: string) => `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>homeline.tools</groupId>
  <artifactId>apache-kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

/**
 * The directory of Kafka's runtime jars, fetched with Maven into `cacheDir/<version>/libs` on
 * first use. A complete fetch is renamed into place at the end, so an interrupted one is
 * retried rather than used; later calls touch neither Maven nor the network.
 */
export function ensureKafkaJars(cacheDir: string, version: string, say: (line: string) => void): string {
  const home = join(cacheDir, version);
  const libs = join(home, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  requireTool('mvn');
  mkdirSync(home, { recursive: true });
  const staging = join(home, 'libs.partial');
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(join(home, 'pom.xml'), pom(version));
  say(`fetching Apache Kafka ${version} (org.apache.kafka:kafka_2.13 and its runtime dependencies) with Maven into ${libs}`);
  const started = Date.now();
  const mvn = spawnSync(
    'mvn',
    ['-B', '-q', '-f', join(home, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
    { encoding: 'utf8' },
  );
  if (mvn.error || mvn.status !== 0) {
    throw new Error(`Maven could not fetch Apache Kafka ${version} (exit ${mvn.status}):\n${(mvn.stdout ?? '') + (mvn.stderr ?? '')}`.trimEnd());
  }
  renameSync(staging, libs);
  say(`fetched ${readdirSync(libs).length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libs;
}
