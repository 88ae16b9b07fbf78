/** Kafka's ACL model, the part this broker enforces (what Strimzi's `simple` authorization writes). */
export type ResourceType = 'topic' | 'group' | 'cluster';
export type PatternType = 'literal' | 'prefix';
export type AclOperation = 'Read' | 'Write' | 'Create' | 'Delete' | 'Describe' | 'IdempotentWrite' | 'All';

export interface AclBinding {
  /** a user name, or '*' for every authenticated user */
  readonly principal: string;
  readonly resourceType: ResourceType;
  /** literal name ('*' = every resource of the type), or a prefix; ignored for the cluster */
  readonly name: string;
  readonly patternType: PatternType;
  readonly operations: readonly AclOperation[];
  /** default 'allow' */
  readonly permission?: 'allow' | 'deny';
}

export interface Denial {
  readonly principal: string;
  readonly operation: AclOperation;
  readonly resourceType: ResourceType;
  readonly name: string;
}

// Kafka: Read, Write and Delete each imply Describe (AclEntry.supportedOperations / StandardAuthorizer).
const implies: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  Describe: ['Read', 'Write', 'Delete'],
};

/**
 * Decides as Kafka's StandardAuthorizer does with allow.everyone.if.no.acl.found=false: super
 * users may do anything; otherwise a matching deny wins, then a matching allow; nothing
 * matching means no.
 */
export class Authorizer {
  constructor(
    private readonly bindings: readonly AclBinding[],
    private readonly superUsers: ReadonlySet<string>,
    private readonly onDenied: (denial: Denial) => void = () => undefined,
  ) {}

  allows(principal: string, operation: AclOperation, resourceType: ResourceType, name = 'kafka-cluster'): boolean {
    if (this.superUsers.has(principal)) return true;
    const matching = this.bindings.filter((b) => b.resourceType === resourceType && (b.principal === principal || b.principal === '*') && covers(b, name));
    const grants = (b: AclBinding, op: AclOperation) => b.operations.includes('All') || b.operations.includes(op);
    const wanted = [operation, ...(implies[operation] ?? [])];
    if (matching.some((b) => b.permission === 'deny' && grants(b, operation))) return this.deny(principal, operation, resourceType, name);
    if (matching.some((b) => b.permission !== 'deny' && wanted.some((op) => grants(b, op)))) return true;
    return this.deny(principal, operation, resourceType, name);
  }

  /** Like allows(), without recording a denial: for filtering lists (Metadata of all topics, ListGroups). */
  permits(principal: string, operation: AclOperation, resourceType: ResourceType, name: string): boolean {
    return new Authorizer(this.bindings, this.superUsers).allows(principal, operation, resourceType, name);
  }

  /** Whether some allow binding grants `operation` on some resource of the type (Kafka's authorizeByResourceType). */
  allowsSome(principal: string, operation: AclOperation, resourceType: ResourceType): boolean {
    if (this.superUsers.has(principal)) return true;
    return this.bindings.some(
      (b) => b.permission !== 'deny' && b.resourceType === resourceType && (b.principal === principal || b.principal === '*') && (b.operations.includes(operation) || b.operations.includes('All')),
    );
  }

  private deny(principal: string, operation: AclOperation, resourceType: ResourceType, name: string): false {
    this.onDenied({ principal, operation, resourceType, name });
    return false;
  }
}

function covers(b: AclBinding, name: string): boolean {
  if (b.resourceType === 'cluster') return true;
  if (b.patternType === 'prefix') return name.startsWith(b.name);
  return b.name === '*' || b.name === name;
}
