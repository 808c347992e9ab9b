// Scenarios for sarama 1.22 (Debian's golang-github-shopify-sarama-dev), driven by SaramaTests and SaramaGroupTests.
//
// usage: sarama-client <bootstrap> <scenario>   (parameters as JSON on stdin)
//
// sarama never asks which versions the broker supports: from the Kafka version it is configured with it sends
// fixed ones (with 0.11 to 2.2: Produce v3, Fetch v4, Metadata v1 or v5, ListOffsets v1). Prints one JSON line:
// the scenario's result, or {"error": ...} with exit code 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type header struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

type message struct {
	Key       []byte   `json:"key"`
	Value     []byte   `json:"value"`
	Timestamp int64    `json:"timestamp"`
	Headers   []header `json:"headers"`
	Offset    int64    `json:"offset"`
}

type params struct {
	Version     string            `json:"version"`
	Compression string            `json:"compression"`
	Topic       string            `json:"topic"`
	Partitions  int32             `json:"partitions"`
	Configs     map[string]string `json:"configs"`
	Messages    []message         `json:"messages"`
	Offset      int64             `json:"offset"`
	Count       int               `json:"count"`
	Timestamp   int64             `json:"timestamp"`
	Group       string            `json:"group"`
	Retention   int64             `json:"retention"`
}

func config(p params) (*sarama.Config, error) {
	c := sarama.NewConfig()
	c.ClientID = "beltline-sarama"
	version, err := sarama.ParseKafkaVersion(p.Version)
	if err != nil {
		return nil, err
	}
	c.Version = version
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Partitioner = sarama.NewManualPartitioner
	codecs := map[string]sarama.CompressionCodec{"": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
		"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD}
	codec, ok := codecs[p.Compression]
	if !ok {
		return nil, fmt.Errorf("unknown compression %q", p.Compression)
	}
	c.Producer.Compression = codec
	return c, nil
}

func createTopic(bootstrap string, p params, c *sarama.Config) (interface{}, error) {
	admin, err := sarama.NewClusterAdmin([]string{bootstrap}, c)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	entries := map[string]*string{}
	for k, v := range p.Configs {
		value := v
		entries[k] = &value
	}
	if err := admin.CreateTopic(p.Topic, &sarama.TopicDetail{NumPartitions: p.Partitions, ReplicationFactor: 1, ConfigEntries: entries}, false); err != nil {
		return nil, err
	}
	topics, err := admin.ListTopics()
	if err != nil {
		return nil, err
	}
	described, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: p.Topic})
	if err != nil {
		return nil, err
	}
	configs := map[string]string{}
	for _, entry := range described {
		configs[entry.Name] = entry.Value
	}
	return map[string]interface{}{"partitions": topics[p.Topic].NumPartitions, "configs": configs}, nil
}

func produce(bootstrap string, p params, c *sarama.Config) (interface{}, error) {
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, c)
	if err != nil {
		return nil, err
	}
	defer producer.Close()
	batch := make([]*sarama.ProducerMessage, 0, len(p.Messages))
	for _, m := range p.Messages {
		out := &sarama.ProducerMessage{Topic: p.Topic, Partition: 0, Value: sarama.ByteEncoder(m.Value), Timestamp: time.Unix(0, m.Timestamp*int64(time.Millisecond))}
		if m.Key != nil {
			out.Key = sarama.ByteEncoder(m.Key)
		}
		for _, h := range m.Headers {
			out.Headers = append(out.Headers, sarama.RecordHeader{Key: []byte(h.Key), Value: h.Value})
		}
		batch = append(batch, out)
	}
	if err := producer.SendMessages(batch); err != nil {
		return nil, err
	}
	offsets := make([]int64, len(batch))
	for i, m := range batch {
		offsets[i] = m.Offset
	}
	return map[string]interface{}{"offsets": offsets}, nil
}

func consume(bootstrap string, p params, c *sarama.Config) (interface{}, error) {
	consumer, err := sarama.NewConsumer([]string{bootstrap}, c)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	partition, err := consumer.ConsumePartition(p.Topic, 0, p.Offset)
	if err != nil {
		return nil, err
	}
	defer partition.Close()
	records := []message{}
	deadline := time.After(30 * time.Second)
	for len(records) < p.Count {
		select {
		case m := <-partition.Messages():
			headers := []header{}
			for _, h := range m.Headers {
				headers = append(headers, header{Key: string(h.Key), Value: h.Value})
			}
			records = append(records, message{Key: m.Key, Value: m.Value, Timestamp: m.Timestamp.UnixNano() / int64(time.Millisecond), Headers: headers, Offset: m.Offset})
		case e := <-partition.Errors():
			return nil, e
		case <-deadline:
			return map[string]interface{}{"records": records}, nil
		}
	}
	return map[string]interface{}{"records": records}, nil
}

func offsets(bootstrap string, p params, c *sarama.Config) (interface{}, error) {
	client, err := sarama.NewClient([]string{bootstrap}, c)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	oldest, err := client.GetOffset(p.Topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	newest, err := client.GetOffset(p.Topic, 0, sarama.OffsetNewest)
	if err != nil {
		return nil, err
	}
	forTime, err := client.GetOffset(p.Topic, 0, p.Timestamp)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{"oldest": oldest, "newest": newest, "forTime": forTime}, nil
}

type groupRecord struct {
	Generation int32  `json:"generation"`
	Partition  int32  `json:"partition"`
	Offset     int64  `json:"offset"`
	Value      []byte `json:"value"`
}

type groupSession struct {
	Generation int32   `json:"generation"`
	MemberID   string  `json:"memberId"`
	Claims     []int32 `json:"claims"`
}

// groupHandler takes the first `count` messages its sessions' claims deliver, marks each (MarkMessage: commit the
// offset after it), and then ends the session; later messages are neither taken nor marked.
type groupHandler struct {
	topic    string
	count    int
	done     context.CancelFunc
	lock     sync.Mutex
	sessions []groupSession
	records  []groupRecord
}

func (h *groupHandler) Setup(s sarama.ConsumerGroupSession) error {
	h.lock.Lock()
	defer h.lock.Unlock()
	h.sessions = append(h.sessions, groupSession{Generation: s.GenerationID(), MemberID: s.MemberID(), Claims: s.Claims()[h.topic]})
	return nil
}

func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *groupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		h.lock.Lock()
		if len(h.records) < h.count {
			h.records = append(h.records, groupRecord{Generation: s.GenerationID(), Partition: m.Partition, Offset: m.Offset, Value: m.Value})
			s.MarkMessage(m, "")
			if len(h.records) == h.count {
				h.done()
			}
		}
		h.lock.Unlock()
	}
	return nil
}

// groupConsume: a ConsumerGroup (sarama's: FindCoordinator v0, JoinGroup v1, SyncGroup v0, Heartbeat v0, OffsetFetch
// v1, OffsetCommit v1, or v2 when retention (ms) is set, LeaveGroup v0) in `group` consumes `topic` from the oldest
// offset where the group has none, takes `count` messages (see groupHandler), commits what it marked as the session
// ends, and closes (LeaveGroup).
func groupConsume(bootstrap string, p params, c *sarama.Config) (interface{}, error) {
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.Retention = time.Duration(p.Retention) * time.Millisecond
	c.Consumer.Return.Errors = true
	c.Consumer.Group.Session.Timeout = 10 * time.Second
	c.Consumer.Group.Heartbeat.Interval = 1 * time.Second
	group, err := sarama.NewConsumerGroup([]string{bootstrap}, p.Group, c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	handler := &groupHandler{topic: p.Topic, count: p.Count, done: cancel}
	errs := []string{}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for e := range group.Errors() {
			errs = append(errs, e.Error())
		}
	}()
	// A session ends at a rebalance too: join again until the handler has its messages (or the time is up).
	for ctx.Err() == nil {
		if err := group.Consume(ctx, []string{p.Topic}, handler); err != nil {
			_ = group.Close()
			return nil, err
		}
	}
	if err := group.Close(); err != nil {
		return nil, err
	}
	<-drained
	if len(handler.records) < p.Count {
		return nil, fmt.Errorf("timed out with %d of %d messages (errors: %v)", len(handler.records), p.Count, errs)
	}
	return map[string]interface{}{"sessions": handler.sessions, "records": handler.records, "errors": errs}, nil
}

func main() {
	bootstrap, scenario := os.Args[1], os.Args[2]
	var p params
	var result interface{}
	err := json.NewDecoder(os.Stdin).Decode(&p)
	if err == nil {
		var c *sarama.Config
		if c, err = config(p); err == nil {
			switch scenario {
			case "create-topic":
				result, err = createTopic(bootstrap, p, c)
			case "produce":
				result, err = produce(bootstrap, p, c)
			case "consume":
				result, err = consume(bootstrap, p, c)
			case "offsets":
				result, err = offsets(bootstrap, p, c)
			case "group-consume":
				result, err = groupConsume(bootstrap, p, c)
			default:
				err = fmt.Errorf("unknown scenario %q", scenario)
			}
		}
	}
	if err != nil {
		json.NewEncoder(os.Stdout).Encode(map[string]string{"error": err.Error()})
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(result)
}
