using System.Diagnostics;
using System.Net;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Beltline.Dashboard;

/// <summary>
/// The Kafka side of the pipeline view: topics with their partitions, record counts and rates (between two looks),
/// consumer groups with their state and lag. Through Confluent.Kafka's admin API, so it describes any cluster.
/// </summary>
internal sealed class PipelineSampler(ClientConfig config) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig(config.ToDictionary(p => p.Key, p => p.Value))).Build();
    private readonly IConsumer<Ignore, Ignore> _offsets = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig(config.ToDictionary(p => p.Key, p => p.Value)) { GroupId = "beltline-dashboard" }).Build();
    private readonly Dictionary<string, (long Records, long Ticks)> _previous = [];
    private readonly Lock _lock = new();

    public string Render()
    {
        lock (_lock)
        {
            var html = new StringBuilder();
            try
            {
                var metadata = _admin.GetMetadata(Timeout);
                var ends = new Dictionary<TopicPartition, long>();
                html.Append("<section class=\"panel\"><h2>Topics</h2><table><tr><th>topic</th><th>partitions</th><th>records</th><th>records/s</th></tr>");
                foreach (var topic in metadata.Topics.Where(t => !t.Topic.StartsWith("__", StringComparison.Ordinal) && !t.Error.IsError).OrderBy(t => t.Topic, StringComparer.Ordinal))
                {
                    long records = 0;
                    foreach (var partition in topic.Partitions)
                    {
                        var tp = new TopicPartition(topic.Topic, partition.PartitionId);
                        var watermarks = _offsets.QueryWatermarkOffsets(tp, Timeout);
                        ends[tp] = watermarks.High.Value;
                        records += watermarks.High.Value - watermarks.Low.Value;
                    }
                    var now = Stopwatch.GetTimestamp();
                    var rate = _previous.TryGetValue(topic.Topic, out var before)
                        ? (records - before.Records) / Math.Max(Stopwatch.GetElapsedTime(before.Ticks, now).TotalSeconds, 0.001)
                        : double.NaN;
                    _previous[topic.Topic] = (records, now);
                    html.Append($"<tr data-topic=\"{WebUtility.HtmlEncode(topic.Topic)}\"><td>{WebUtility.HtmlEncode(topic.Topic)}</td><td>{topic.Partitions.Count}</td><td>{records:N0}</td><td>{(double.IsNaN(rate) ? "…" : rate.ToString("N0"))}</td></tr>");
                }
                html.Append("</table></section>");

                html.Append("<section class=\"panel\"><h2>Consumer groups</h2><table><tr><th>group</th><th>state</th><th>lag</th></tr>");
                var groups = _admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = Timeout }).GetAwaiter().GetResult();
                foreach (var group in groups.Valid.Where(g => g.GroupId != "beltline-dashboard").OrderBy(g => g.GroupId, StringComparer.Ordinal))
                {
                    var committed = _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group.GroupId, null)]).GetAwaiter().GetResult();
                    var lag = committed[0].Partitions.Where(p => p.Offset.Value >= 0 && ends.ContainsKey(p.TopicPartition))
                        .Sum(p => Math.Max(0, ends[p.TopicPartition] - p.Offset.Value));
                    html.Append($"<tr data-group=\"{WebUtility.HtmlEncode(group.GroupId)}\"><td>{WebUtility.HtmlEncode(group.GroupId)}</td><td>{group.State}</td><td class=\"lag\">{lag:N0}</td></tr>");
                }
                html.Append("</table></section>");
            }
            catch (KafkaException e)
            {
                html.Append($"<section class=\"panel\"><h2>Kafka</h2><p class=\"problem\">Kafka did not answer: {WebUtility.HtmlEncode(e.Error.Reason)}</p></section>");
            }
            return html.ToString();
        }
    }

    public void Dispose()
    {
        _admin.Dispose();
        _offsets.Dispose();
    }
}
