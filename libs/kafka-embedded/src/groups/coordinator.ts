import { Group, GroupEvents, GroupSettings } from './group';

/** Holds every consumer group this node coordinates (all of them: it is the only node). */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly settings: GroupSettings,
    private readonly events: GroupEvents,
  ) {}

  group(id: string): Group {
    let group = this.groups.get(id);
    if (!group) {
      group = new Group(id, this.settings, this.events);
      this.groups.set(id, group);
    }
    return group;
  }

  find(id: string): Group | undefined {
    return this.groups.get(id);
  }

  all(): Group[] {
    return [...this.groups.values()];
  }

  shutdown(): void {
    for (const g of this.groups.values()) g.shutdown();
  }
}
