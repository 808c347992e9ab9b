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

// The level of the log that goes to stderr. KafkaJS itself would let KAFKAJS_LOG_LEVEL override every logger's
// level, including the group members' debug logger that the group scenarios read (see startMember): take it here.
const stderrLevel = logLevel[(process.env.KAFKAJS_LOG_LEVEL || 'INFO').toUpperCase()] ?? logLevel.INFO
delete process.env.KAFKAJS_LOG_LEVEL

const writeLog = ({ namespace, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(JSON.stringify({ level: label, namespace, message, ...extra }) + '\n')
}

// KafkaJS's log to stderr, one JSON line per entry, so stdout is only the result.
const logCreator = () => writeLog

const kafka = (overrides = {}) =>
  new Kafka({
    clientId: 'beltline-kafkajs-tests',
    brokers: [bootstrap],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    // Few, quick retries: a broker bug should fail the test fast, not after KafkaJS's default ~30 s of backoff.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: stderrLevel,
    logCreator,
    ...overrides,
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

// KafkaJS's public consumer reads only as a member of a consumer group, from the group's offsets. To exercise
// KafkaJS's Fetch request and record-batch decoder at chosen offsets, take its internal cluster (a private symbol
// of the pinned version: bump with care) and call Broker.fetch on the leader, as the consumer's fetch loop does.
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

// ---- consumer groups ----
//
// The group scenarios run their members in this one process, each a KafkaJS consumer with its own client (its own
// connections and member id), so that one journal orders everything they do: each entry gets the next sequence
// number of the process. Entries:
//   {seq, kind: 'assigned', member, generation, memberId, partitions}  a SyncGroup's answer (the assignment the
//       leader made for this member in that generation), read from KafkaJS's 'Received assignment' debug log
//   {seq, kind: 'consumed', member, generation, partition, offset, value}  one eachMessage call
//   {seq, kind: 'committed', member, generation, partition, offset}  an OffsetCommit the broker accepted
//   {seq, kind: 'left', member}  the member's disconnect (LeaveGroup) returned
// A member commits as KafkaJS does by default (autoCommit: after each batch and before it rejoins).

// How long a group scenario waits for anything (the .NET side kills the process at 90 s).
const GROUP_PATIENCE_MS = 60000

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

const newJournal = () => {
  const journal = { seq: 0, entries: [], failures: [] }
  journal.add = entry => journal.entries.push({ seq: ++journal.seq, ...entry })
  // Waits for condition(); throws on a member's crash, a producer failure or past the patience.
  journal.until = async (what, condition) => {
    const deadline = Date.now() + GROUP_PATIENCE_MS
    while (!condition()) {
      if (journal.failures.length > 0) throw new Error(`while waiting for ${what}: ${journal.failures.join('; ')}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(10)
    }
  }
  return journal
}

// Starts a member of groupId subscribed to topic from the beginning (for partitions without a committed offset).
// pauseAfter: once it has been handed that many messages, pause the topic so that KafkaJS stops delivering (what
// it still delivers is journaled too). Resolves when the consumer runs, not when it has joined.
const startMember = async ({ name, groupId, topic, journal, pauseAfter }) => {
  const member = { name, generation: null, consumed: 0, assignments: [] }
  const onLog = entry => {
    const { log } = entry
    if (log.message === 'Received assignment' && log.groupId === groupId) {
      member.generation = log.generationId
      const partitions = [...((log.memberAssignment || {})[topic] || [])].sort((a, b) => a - b)
      member.assignments.push(partitions)
      journal.add({ kind: 'assigned', member: name, generation: log.generationId, memberId: log.memberId, partitions })
    }
    if (entry.level <= stderrLevel) writeLog(entry)
  }
  const consumer = kafka({ clientId: `beltline-kafkajs-${name}`, logLevel: logLevel.DEBUG, logCreator: () => onLog }).consumer({
    groupId,
    sessionTimeout: 10000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 250,
    // Rebalances make some requests fail with retriable errors; a crash (anything KafkaJS gave up on) is not
    // restarted but fails the scenario.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000, restartOnFailure: async () => false },
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => journal.failures.push(`${name} crashed: ${payload.error && payload.error.stack}`))
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // The assignment KafkaJS went on with must be the one the debug log showed (or the journal would be wrong).
    const joined = [...(payload.memberAssignment[topic] || [])].sort((a, b) => a - b)
    const logged = member.assignments[member.assignments.length - 1]
    if (!logged || JSON.stringify(logged) !== JSON.stringify(joined))
      journal.failures.push(`${name} joined with ${JSON.stringify(joined)} but the log showed ${JSON.stringify(logged)}`)
  })
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    for (const t of payload.topics)
      for (const p of t.partitions)
        if (t.topic === topic)
          journal.add({ kind: 'committed', member: name, generation: payload.groupGenerationId, partition: Number(p.partition), offset: Number(p.offset) })
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      journal.add({
        kind: 'consumed',
        member: name,
        generation: member.generation,
        partition,
        offset: Number(message.offset),
        value: message.value == null ? null : message.value.toString('utf8'),
      })
      member.consumed++
      if (pauseAfter !== undefined && member.consumed >= pauseAfter) consumer.pause([{ topic }])
    },
  })
  member.stop = async () => {
    await consumer.disconnect()
    journal.add({ kind: 'left', member: name })
  }
  return member
}

// A KafkaJS producer that sends `p<partition>-<n>` as the n-th message of each partition (2 to each partition per
// send, acks -1, one send at a time) until stop(), which resolves to the count per partition.
const startProducing = ({ topic, partitions, journal }) => {
  const counts = new Array(partitions).fill(0)
  let running = true
  const done = withProducer(async producer => {
    while (running) {
      const messages = []
      for (let partition = 0; partition < partitions; partition++)
        for (let i = 0; i < 2; i++) messages.push({ partition, value: `p${partition}-${counts[partition]++}` })
      await producer.send({ topic, acks: -1, timeout: 10000, messages })
      await sleep(5)
    }
  }).catch(e => {
    journal.failures.push(`producing failed: ${e.stack}`)
    throw e
  })
  return {
    counts,
    stop: async () => {
      running = false
      await done
      return counts
    },
  }
}

// The latest journaled commit of each partition (by any member), as {partition: offset}.
const latestCommits = journal => {
  const latest = {}
  for (const e of journal.entries) if (e.kind === 'committed') latest[e.partition] = e.offset
  return latest
}

// Whether every (partition, offset) below counts[partition] has been consumed, and committed.
const consumedAll = (journal, counts) => {
  const seen = counts.map(() => new Set())
  for (const e of journal.entries) if (e.kind === 'consumed') seen[e.partition].add(e.offset)
  return counts.every((count, partition) => seen[partition].size === count)
}
const committedAll = (journal, counts) => {
  const latest = latestCommits(journal)
  return counts.every((count, partition) => count === 0 || latest[partition] === count)
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

  // {topic, groupId, partitions, step?}: two members, "a" and "b", in groupId while a KafkaJS producer keeps
  // sending to every partition (see startProducing): a starts; once it has consumed `step` messages b starts; once
  // b has consumed `step`, b disconnects (LeaveGroup); once a has been assigned every partition after that and has
  // consumed `step` more, production stops; a then consumes and commits to the end and disconnects.
  // Result: {produced: [count per partition], entries: the journal (see above)}.
  'group-rebalance': async ({ topic, groupId, partitions, step = 100 }) => {
    const journal = newJournal()
    const producing = startProducing({ topic, partitions, journal })
    const members = []
    try {
      const a = await startMember({ name: 'a', groupId, topic, journal })
      members.push(a)
      await journal.until(`a to consume ${step} messages`, () => a.consumed >= step)
      const b = await startMember({ name: 'b', groupId, topic, journal })
      members.push(b)
      await journal.until(`b to consume ${step} messages`, () => b.consumed >= step)
      await b.stop()
      members.pop()
      const left = journal.seq
      const takenOver = () => journal.entries.some(e => e.seq > left && e.kind === 'assigned' && e.member === 'a' && e.partitions.length === partitions)
      await journal.until('a to be assigned every partition after b left', takenOver)
      const before = a.consumed
      await journal.until(`a to consume ${step} more messages`, () => a.consumed >= before + step)
      const produced = await producing.stop()
      await journal.until('a to consume and commit every message', () => consumedAll(journal, produced) && committedAll(journal, produced))
      await a.stop()
      members.pop()
      if (journal.failures.length > 0) throw new Error(journal.failures.join('; '))
      return { produced, entries: journal.entries }
    } finally {
      for (const member of members) await member.stop().catch(() => {})
      await producing.stop().catch(() => {})
    }
  },

  // {topic, groupId, count}: one member of groupId consumes until it has been handed `count` messages, pauses,
  // and disconnects (committing what it consumed, as KafkaJS does after each batch). Result: {entries: the journal}.
  'group-consume': async ({ topic, groupId, count }) => {
    const journal = newJournal()
    const member = await startMember({ name: 'a', groupId, topic, journal, pauseAfter: count })
    try {
      await journal.until(`${count} messages`, () => member.consumed >= count)
    } finally {
      await member.stop()
    }
    if (journal.failures.length > 0) throw new Error(journal.failures.join('; '))
    return { entries: journal.entries }
  },
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
