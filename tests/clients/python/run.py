"""Scenarios for kafka-python (Debian's python3-kafka 2.0.2), driven by KafkaPythonTests and KafkaPythonGroupTests.

usage: /usr/bin/python3 run.py <bootstrap> <scenario>   (parameters as JSON on stdin)

kafka-python speaks the protocol with its own code: it opens with ApiVersions v0 and Metadata v0, guesses the
broker's version from the API keys it sees, and picks its request versions from that guess. Prints one JSON line:
the scenario's result, or {"error": ...} with exit code 1.
"""
import base64
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic


def b64(data):
    return None if data is None else base64.b64encode(data).decode()


def unb64(text):
    return None if text is None else base64.b64decode(text)


def versions(bootstrap, _):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="beltline-python")
    try:
        version = admin._client.check_version()
        return {"brokerVersion": list(version)}
    finally:
        admin.close()


def create_topics(bootstrap, params):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="beltline-python")
    try:
        topics = [NewTopic(name=t["name"], num_partitions=t["partitions"], replication_factor=1,
                           topic_configs=t.get("configs", {})) for t in params["topics"]]
        response = admin.create_topics(topics)
        errors = [{"topic": topic, "error": code} for topic, code, *_ in response.topic_errors]
        listed = sorted(admin.list_topics())
        resources = [ConfigResource(ConfigResourceType.TOPIC, t["name"]) for t in params["topics"]]
        described = {}
        for config_response in admin.describe_configs(resources):
            for _, _, _, name, entries in config_response.resources:
                described[name] = {entry[0]: entry[1] for entry in entries}
        return {"errors": errors, "listed": listed, "configs": described}
    finally:
        admin.close()


def produce(bootstrap, params):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             compression_type=params.get("compression"), client_id="beltline-python")
    try:
        futures = []
        for message in params["messages"]:
            headers = [(k, unb64(v)) for k, v in message.get("headers", [])]
            futures.append(producer.send(params["topic"], key=unb64(message.get("key")), value=unb64(message.get("value")),
                                         partition=message.get("partition"), timestamp_ms=message.get("timestamp"),
                                         headers=headers))
        producer.flush(30)
        sent = [f.get(timeout=30) for f in futures]
        return {"sent": [{"partition": m.partition, "offset": m.offset, "timestamp": m.timestamp} for m in sent]}
    finally:
        producer.close(10)


def consume(bootstrap, params):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", client_id="beltline-python")
    try:
        partition = TopicPartition(params["topic"], params.get("partition", 0))
        consumer.assign([partition])
        if "offset" in params:
            consumer.seek(partition, params["offset"])
        else:
            consumer.seek_to_beginning(partition)
        records = []
        deadline = time.time() + 30
        while len(records) < params["count"] and time.time() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for r in batch:
                    records.append({"offset": r.offset, "timestamp": r.timestamp, "key": b64(r.key), "value": b64(r.value),
                                    "headers": [[k, b64(v)] for k, v in r.headers]})
        return {"records": records}
    finally:
        consumer.close()


def offsets(bootstrap, params):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, client_id="beltline-python")
    try:
        partition = TopicPartition(params["topic"], 0)
        beginning = consumer.beginning_offsets([partition])[partition]
        end = consumer.end_offsets([partition])[partition]
        found = consumer.offsets_for_times({partition: params["timestamp"]})[partition]
        return {"beginning": beginning, "end": end,
                "forTime": None if found is None else {"offset": found.offset, "timestamp": found.timestamp}}
    finally:
        consumer.close()


def group_consume(bootstrap, params):
    """A KafkaConsumer in group `group` subscribed to `topic` (its coordinator code: GroupCoordinator v0, JoinGroup
    v2, SyncGroup v1, Heartbeat v1, OffsetFetch v1, OffsetCommit v2, LeaveGroup v1) polls until it has `count`
    records (poll's max_records: never more) or, with `toEnd`, until it has been assigned partitions and its position
    in each is the partition's end (with whatever records that takes); it commits the offset after the last record
    of each partition it read, and closes (LeaveGroup). Then a consumer of the group that does not join reads the
    group's offsets back."""
    topic, group, count, to_end = params["topic"], params["group"], params.get("count", 0), params.get("toEnd", False)
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", session_timeout_ms=10000, heartbeat_interval_ms=1000,
                             client_id="beltline-python")
    try:
        records = []
        ends = None

        def at_end():
            nonlocal ends
            assigned = consumer.assignment()
            if not assigned:
                return False
            if ends is None:
                ends = consumer.end_offsets(list(assigned))
            return all(consumer.position(tp) >= ends[tp] for tp in assigned)

        deadline = time.time() + 60
        while not (len(records) >= count and (not to_end or at_end())):
            if time.time() > deadline:
                raise TimeoutError(f"{len(records)} of {count} records, at the end: {to_end and at_end()}")
            limit = count - len(records) if len(records) < count else None
            for batch in consumer.poll(timeout_ms=500, max_records=limit).values():
                records.extend({"partition": r.partition, "offset": r.offset, "value": b64(r.value)} for r in batch)
        assignment = sorted(tp.partition for tp in consumer.assignment())
        commit = {TopicPartition(topic, r["partition"]): OffsetAndMetadata(r["offset"] + 1, "") for r in records}
        if commit:
            consumer.commit(commit)
        api_version = list(consumer.config["api_version"])
    finally:
        consumer.close()
    # The consumer above would answer committed() from what it committed itself: ask the broker (OffsetFetch v1).
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, client_id="beltline-python")
    try:
        partitions = sorted(reader.partitions_for_topic(topic))
        committed = [reader.committed(TopicPartition(topic, p)) for p in partitions]
    finally:
        reader.close()
    return {"records": records, "assignment": assignment, "committed": committed, "apiVersion": api_version}


def sasl_produce(bootstrap, params):
    """SASL_SSL with kafka-python's own SCRAM: a v0 SaslHandshake, then the tokens raw on the socket."""
    security = dict(security_protocol="SASL_SSL", ssl_cafile=params["caFile"], sasl_mechanism=params["mechanism"],
                    sasl_plain_username=params["user"], sasl_plain_password=params["password"])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", client_id="beltline-python", **security)
    try:
        offsets = [producer.send(params["topic"], value=value.encode()).get(timeout=30).offset for value in params["values"]]
    finally:
        producer.close()
    return {"offsets": offsets}


SCENARIOS = {"versions": versions, "create-topics": create_topics, "produce": produce, "consume": consume, "offsets": offsets,
             "group-consume": group_consume, "sasl-produce": sasl_produce}


def main():
    bootstrap, scenario = sys.argv[1], sys.argv[2]
    params = json.loads(sys.stdin.read() or "{}")
    try:
        result = SCENARIOS[scenario](bootstrap, params)
    except Exception as e:  # the test prints it: any failure of the client is the finding
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
