import { Admin, ITopicConfig } from 'kafkajs';
import { createTopicAndWait } from './create-topic';

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;

function protocolError(type: string): Error {
  return Object.assign(new Error(type), { type });
}

function leaders(...ids: number[]): Metadata {
  return {
    topics: [
      {
        name: 't',
        partitions: ids.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [], isr: [] })),
      },
    ],
  };
}

/** An admin whose metadata answers come from a script, one per call. */
function scriptedAdmin(answers: Array<Metadata | Error>): { admin: Admin; metadataCalls: () => number } {
  let calls = 0;
  const admin = {
    createTopics: jest.fn(async () => true),
    fetchTopicMetadata: jest.fn(async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    }),
  } as unknown as Admin;
  return { admin, metadataCalls: () => calls };
}

const topic: ITopicConfig = { topic: 't', numPartitions: 2 };

describe('createTopicAndWait', () => {
  it('waits through the unknown-topic and no-leader answers a new topic first gets', async () => {
    const { admin, metadataCalls } = scriptedAdmin([
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
      Object.assign(new Error('retries exceeded'), { originalError: protocolError('LEADER_NOT_AVAILABLE') }),
      leaders(1, -1),
      leaders(1, 1),
    ]);
    await createTopicAndWait(admin, topic);
    expect(metadataCalls()).toBe(4);
  });

  it('passes any other error straight on', async () => {
    const { admin } = scriptedAdmin([protocolError('TOPIC_AUTHORIZATION_FAILED')]);
    await expect(createTopicAndWait(admin, topic)).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
  });

  it('gives up after the timeout, saying what it last saw', async () => {
    const { admin } = scriptedAdmin([leaders(1)]);
    await expect(createTopicAndWait(admin, topic, 250)).rejects.toThrow('topic t not ready after 250 ms: 1 of 2 partitions have a leader');
  });
});
