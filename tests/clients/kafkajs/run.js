#!/usr/bin/env node
// Drives KafkaJS (an independent, pure-JavaScript Kafka client) against a broker.
//
//   node run.js <bootstrap host:port> <scenario>   < params.json
//
// The scenario's parameters are one JSON object on stdin (empty stdin = {}). The result is one JSON object on
// stdout; KafkaJS's own log goes to stderr. Exit code 0 = the scenario ran; 1 = KafkaJS threw (stdout then
// holds {"error": {...}} with the error's name, message and Kafka error type); 2 = bad usage.
// The .NET integration tests (tests/Beltline.Broker.IntegrationTests/KafkaJsTests.cs) run these scenarios and
// check the results against the broker with another client.
'use strict'

const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes, Partitioners } = require('kafkajs')

const [bootstrap, scenario] = process.argv.slice(2)

// KafkaJS's log to stderr, one JSON line per entry, so stdout is only the result.
const logCreator = () => ({ namespace, level, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(JSON.stringify({ level: label, namespace, message, ...extra }) + '\n')
}

const kafka = () =>
  new Kafka({
    clientId: 'beltline-kafkajs-tests',
    brokers: [bootstrap],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    // Few, quick retries: a broker bug should fail the test fast, not after KafkaJS's default ~30 s of backoff.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel[(process.env.KAFKAJS_LOG_LEVEL || 'INFO').toUpperCase()] ?? logLevel.INFO,
    logCreator,
  })

const compressions = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }

const compressionOf = name => {
  const codec = compressions[(name || 'none').toLowerCase()]
  if (codec === undefined) throw new Error(`unknown compression "${name}" (KafkaJS has ${Object.keys(compressions)})`)
  return codec
}

// A message from JSON: key/value strings (or null), headers {name: string}, timestamp in ms, optional partition.
const messageOf = m => ({
  key: m.key ?? null,
  value: m.value ?? null,
  headers: m.headers,
  timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
  partition: m.partition,
})

// KafkaJS's partition metadata, reduced to what the broker decides.
const partitionsOf = partitions =>
  partitions
    .map(p => ({ partition: p.partitionId, errorCode: p.partitionErrorCode, leader: p.leader, replicas: p.replicas, isr: p.isr }))
    .sort((a, b) => a.partition - b.partition)

const byPartition = offsets => [...offsets].sort((a, b) => a.partition - b.partition)

const withAdmin = async action => {
  const admin = kafka().admin()
  await admin.connect()
  try {
    return await action(admin)
  } finally {
    await admin.disconnect()
  }
}

// allowAutoTopicCreation: what the producer's Metadata requests ask for (KafkaJS's default is true; ours false).
const withProducer = async (action, allowAutoTopicCreation = false) => {
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation })
  await producer.connect()
  try {
    return await action(producer)
  } finally {
    await producer.disconnect()
  }
}

// A fetched message with its Buffers as UTF-8 strings (null stays null; a repeated header name is an array).
const fetchedOf = m => ({
  offset: m.offset,
  timestamp: m.timestamp,
  key: m.key == null ? null : m.key.toString('utf8'),
  value: m.value == null ? null : m.value.toString('utf8'),
  headers: Object.fromEntries(
    Object.entries(m.headers || {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(v => (v == null ? null : v.toString('utf8'))) : value == null ? null : value.toString('utf8'),
    ])
  ),
  batch: m.batchContext && {
    firstOffset: m.batchContext.firstOffset,
    timestampType: m.batchContext.timestampType,
    maxTimestamp: m.batchContext.maxTimestamp,
    inTransaction: m.batchContext.inTransaction,
  },
})

// KafkaJS's public consumer needs a consumer group, which the broker does not have yet. To exercise KafkaJS's
// Fetch request and record-batch decoder anyway, take its internal cluster (a private symbol of the pinned
// version: bump with care) and call Broker.fetch on the leader, as the consumer's fetch loop does.
const withCluster = async action => {
  const client = kafka()
  const createCluster = client[Object.getOwnPropertySymbols(client).find(s => s.description === 'private:Kafka:createCluster')]
  if (typeof createCluster !== 'function') throw new Error('KafkaJS internals changed: no private:Kafka:createCluster')
  const cluster = createCluster({ allowAutoTopicCreation: false })
  await cluster.connect()
  try {
    return await action(cluster)
  } finally {
    await cluster.disconnect()
  }
}

const scenarios = {
  // {topics: [{topic, numPartitions, configEntries: [{name, value}]}]}
  // createTopics (waits for leaders, unless validating only: nothing is created then), then listTopics and
  // fetchTopicMetadata of the topics that exist.
  'create-topics': ({ topics, validateOnly }) =>
    withAdmin(async admin => {
      const created = await admin.createTopics({ topics, validateOnly: !!validateOnly, waitForLeaders: !validateOnly, timeout: 10000 })
      const listed = await admin.listTopics()
      const names = topics.map(t => t.topic).filter(name => listed.includes(name))
      const metadata = names.length === 0 ? { topics: [] } : await admin.fetchTopicMetadata({ topics: names })
      return {
        created,
        listed: [...listed].sort(),
        metadata: metadata.topics.map(t => ({ name: t.name, partitions: partitionsOf(t.partitions) })),
      }
    }),

  // {topics?: [names]}: fetchTopicMetadata (all topics when none are named).
  'fetch-topic-metadata': ({ topics }) =>
    withAdmin(async admin => {
      const metadata = await admin.fetchTopicMetadata(topics ? { topics } : undefined)
      return { topics: metadata.topics.map(t => ({ name: t.name, partitions: partitionsOf(t.partitions) })) }
    }),

  // {topic, timestamps: [ms]}: fetchTopicOffsets, then fetchTopicOffsetsByTimestamp for each timestamp.
  offsets: ({ topic, timestamps = [] }) =>
    withAdmin(async admin => {
      const offsets = byPartition(await admin.fetchTopicOffsets(topic))
      const byTimestamp = []
      for (const timestamp of timestamps)
        byTimestamp.push({ timestamp, offsets: byPartition(await admin.fetchTopicOffsetsByTimestamp(topic, timestamp)) })
      return { offsets, byTimestamp }
    }),

  // {topic, partitions: [{partition, offset}]}: deleteTopicRecords, then fetchTopicOffsets.
  'delete-records': ({ topic, partitions }) =>
    withAdmin(async admin => {
      // deleteTopicRecords looks the leaders up in the metadata it already has: load the topic's first.
      await admin.fetchTopicMetadata({ topics: [topic] })
      await admin.deleteTopicRecords({ topic, partitions: partitions.map(p => ({ partition: p.partition, offset: String(p.offset) })) })
      return { offsets: byPartition(await admin.fetchTopicOffsets(topic)) }
    }),

  // {type: "topic"|"broker", name, configNames?, includeSynonyms?}: describeConfigs of one resource.
  'describe-configs': ({ type = 'topic', name, configNames, includeSynonyms }) =>
    withAdmin(async admin => {
      const resourceType = type === 'broker' ? ConfigResourceTypes.BROKER : ConfigResourceTypes.TOPIC
      const described = await admin.describeConfigs({
        resources: [{ type: resourceType, name, configNames }],
        includeSynonyms: !!includeSynonyms,
      })
      return {
        resources: described.resources.map(r => ({
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configEntries: r.configEntries,
        })),
      }
    }),

  // {topic, configEntries: [{name, value}], validateOnly?}: alterConfigs (the non-incremental one), then describeConfigs.
  'alter-configs': ({ topic, configEntries, validateOnly }) =>
    withAdmin(async admin => {
      const altered = await admin.alterConfigs({
        validateOnly: !!validateOnly,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries }],
      })
      return { resources: altered.resources }
    }),

  // {topic, count, validateOnly?}: createPartitions, then fetchTopicMetadata.
  'create-partitions': ({ topic, count, validateOnly }) =>
    withAdmin(async admin => {
      await admin.createPartitions({ topicPartitions: [{ topic, count }], validateOnly: !!validateOnly, timeout: 10000 })
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
      return { partitions: partitionsOf(metadata.topics[0].partitions) }
    }),

  // {topics: [names]}: deleteTopics, then listTopics.
  'delete-topics': ({ topics }) =>
    withAdmin(async admin => {
      await admin.deleteTopics({ topics, timeout: 10000 })
      return { listed: [...(await admin.listTopics())].sort() }
    }),

  // describeCluster (KafkaJS answers it from a Metadata request).
  'describe-cluster': () => withAdmin(admin => admin.describeCluster()),

  // {topic, acks, compression, messages: [{key, value, headers, timestamp, partition}], allowAutoTopicCreation?}:
  // one producer.send.
  send: ({ topic, acks = -1, compression, messages, allowAutoTopicCreation }) =>
    withProducer(async producer => {
      const metadata = await producer.send({ topic, acks, timeout: 10000, compression: compressionOf(compression), messages: messages.map(messageOf) })
      return { metadata }
    }, !!allowAutoTopicCreation),

  // {acks, compression, topicMessages: [{topic, messages: [...]}]}: one producer.sendBatch.
  'send-batch': ({ acks = -1, compression, topicMessages }) =>
    withProducer(async producer => {
      const metadata = await producer.sendBatch({
        acks,
        timeout: 10000,
        compression: compressionOf(compression),
        topicMessages: topicMessages.map(t => ({ topic: t.topic, messages: t.messages.map(messageOf) })),
      })
      return { metadata }
    }),
  // {topic, partitions: [{partition, fetchOffset, maxBytes?}], maxBytes?, minBytes?, maxWaitTime?}: one Fetch
  // (KafkaJS's newest, v11) to the leader through Broker.fetch, decoded by KafkaJS; see withCluster.
  fetch: ({ topic, partitions, maxBytes = 10485760, minBytes = 1, maxWaitTime = 100 }) =>
    withCluster(async cluster => {
      await cluster.addTargetTopic(topic)
      const leaders = cluster.findLeaderForPartitions(topic, partitions.map(p => p.partition))
      const results = []
      for (const [nodeId, leaderPartitions] of Object.entries(leaders)) {
        const broker = await cluster.findBroker({ nodeId })
        const response = await broker.fetch({
          maxWaitTime,
          minBytes,
          maxBytes,
          topics: [
            {
              topic,
              partitions: partitions
                .filter(p => leaderPartitions.includes(p.partition))
                .map(p => ({ partition: p.partition, fetchOffset: String(p.fetchOffset), maxBytes: p.maxBytes ?? 1048576 })),
            },
          ],
        })
        for (const { topicName, partitions: fetched } of response.responses)
          for (const p of fetched)
            results.push({
              topic: topicName,
              partition: p.partition,
              errorCode: p.errorCode,
              highWatermark: p.highWatermark,
              lastStableOffset: p.lastStableOffset,
              logStartOffset: p.lastStartOffset, // sic: KafkaJS's name
              messages: p.messages.map(fetchedOf),
            })
      }
      return { partitions: results.sort((a, b) => a.partition - b.partition) }
    }),

  // {sasl: {mechanism, username, password}}: connect an admin client with SASL (over plaintext) and list topics.
  'connect-sasl': ({ sasl }) =>
    (async () => {
      const admin = new Kafka({ clientId: 'beltline-kafkajs-tests', brokers: [bootstrap], sasl, connectionTimeout: 5000, retry: { retries: 0 }, logCreator }).admin()
      try {
        await admin.connect()
        return { topics: await admin.listTopics() }
      } finally {
        await admin.disconnect()
      }
    })(),
}

const readStdin = () =>
  new Promise((resolve, reject) => {
    let text = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', chunk => (text += chunk))
    process.stdin.on('end', () => resolve(text))
    process.stdin.on('error', reject)
  })

const main = async () => {
  if (!bootstrap || !scenarios[scenario]) {
    process.stderr.write(`usage: node run.js <bootstrap> <scenario> < params.json\nscenarios: ${Object.keys(scenarios).join(', ')}\n`)
    return 2
  }
  const input = (await readStdin()).trim()
  const params = input === '' ? {} : JSON.parse(input)
  try {
    const result = await scenarios[scenario](params)
    process.stdout.write(JSON.stringify(result ?? {}) + '\n')
    return 0
  } catch (e) {
    process.stderr.write(`${e.stack}\n`)
    const error = {
      name: e.name,
      message: e.message,
      type: e.type,
      code: e.code,
      retriable: e.retriable,
      // KafkaJSAggregateError (createTopics) and KafkaJSDeleteTopicRecordsError carry per-item errors.
      errors: e.errors?.map(x => ({ name: x.name, message: x.message, type: x.type, code: x.code })),
      partitions: e.partitions?.map(p => ({ partition: p.partition, offset: p.offset, type: p.error?.type, message: p.error?.message })),
      cause: e.cause ? { name: e.cause.name, message: e.cause.message, type: e.cause.type } : undefined,
    }
    process.stdout.write(JSON.stringify({ error }) + '\n')
    return 1
  }
}

main().then(code => { process.exitCode = code })
