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

/** kafkajs' KafkaJSAggregateError around one KafkaJSCreateTopicError per topic. */
function createTopicErrors(...types: string[]): Error {
  return Object.assign(new Error('Topic creation errors'), { errors: types.map(protocolError) });
}

/** An admin whose createTopics and metadata answers come from scripts, one per call. */
function scriptedAdmin(answers: Array<Metadata | Error>, creations: Array<true | Error> = [true]): { admin: Admin; metadataCalls: () => number; createCalls: () => number } {
  let calls = 0;
  let creates = 0;
  const admin = {
    createTopics: jest.fn(async () => {
      const answer = creations[Math.min(creates, creations.length - 1)];
      creates += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    }),
    fetchTopicMetadata: jest.fn(async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (answer instanceof Error) throw answer;
      return answer;
    }),
  } as unknown as Admin;
  return { admin, metadataCalls: () => calls, createCalls: () => creates };
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

  it('creates the topic once the broker has registered with its controller', async () => {
    const notRegistered = createTopicErrors('INVALID_REPLICATION_FACTOR');
    const { admin, createCalls } = scriptedAdmin([leaders(1, 1)], [notRegistered, notRegistered, true]);
    await createTopicAndWait(admin, topic);
    expect(createCalls()).toBe(3);
  });

  it('fails with the broker\'s own refusal when the replication factor stays out of reach', async () => {
    const { admin } = scriptedAdmin([leaders(1, 1)], [createTopicErrors('INVALID_REPLICATION_FACTOR')]);
    await expect(createTopicAndWait(admin, topic, 250)).rejects.toThrow('Topic creation errors');
  });

  it('passes any other creation error straight on', async () => {
    const { admin, createCalls } = scriptedAdmin([leaders(1, 1)], [createTopicErrors('INVALID_REPLICATION_FACTOR', 'TOPIC_AUTHORIZATION_FAILED')]);
    await expect(createTopicAndWait(admin, topic)).rejects.toThrow('Topic creation errors');
    expect(createCalls()).toBe(1);
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
