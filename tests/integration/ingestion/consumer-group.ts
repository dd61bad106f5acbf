import { AssignerProtocol, ConfigResourceTypes } from 'kafkajs';
import { eventually, TestApp } from '../../support/app';
import { consumeAll, ConsumedMessage } from '../../support/kafka';
import { committedOffsets, endOffsets, Offsets, totalOf, withAdmin } from '../../support/kafka-offsets';

/** The largest record batch the topic accepts (its max.message.bytes, the broker's unless overridden). */
export function maxMessageBytes(brokers: string[], topic: string): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    });
    return Number(resources[0].configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue);
  });
}

/** The offset the next produced message of each partition will get. */
export interface GroupMember {
  memberId: string;
  partitions: number[];
}

/** Who is in the group and which partitions of `topic` each one holds right now. */
export function groupMembers(brokers: string[], groupId: string, topic: string): Promise<{ state: string; members: GroupMember[] }> {
  return withAdmin(brokers, async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    const [group] = groups;
    return {
      state: group.state,
      members: group.members.map((member) => {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return { memberId: member.memberId, partitions: [...(assignment?.assignment[topic] ?? [])].sort() };
      }),
    };
  });
}

export function sameOffsets(a: Offsets, b: Offsets): boolean {
  const partitions = new Set([...a.keys(), ...b.keys()]);
  return [...partitions].every((partition) => (a.get(partition) ?? 0) === (b.get(partition) ?? 0));
}

/** Waits until the app's group has committed everything produced to its article topic so far. */
export async function waitUntilCaughtUp(app: TestApp, timeoutMs = 60_000): Promise<Offsets> {
  const brokers = app.config.kafka.brokers;
  const { articles, group } = app.topics;
  const end = await endOffsets(brokers, articles);
  return eventually(async () => {
    const committed = await committedOffsets(brokers, group, articles);
    return sameOffsets(committed, end) ? committed : undefined;
  }, timeoutMs, 250);
}

/** A counter from the app's /metrics (0 when it has no sample yet). */
export async function metricValue(app: TestApp, name: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

/** Every message in the topic right now, read by a throwaway group. */
export async function readTopic(brokers: string[], topic: string): Promise<ConsumedMessage[]> {
  const count = totalOf(await endOffsets(brokers, topic));
  return consumeAll(brokers, topic, { count });
}
