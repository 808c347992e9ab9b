using System.Text;

namespace Beltline.Search.Tests;

/// <summary>Action lines of a bulk body, read as Elasticsearch reads them.</summary>
public sealed class BulkActionTests
{
    private static BulkAction Parse(string line) => BulkAction.Parse(Encoding.UTF8.GetBytes(line), 3);

    [Fact]
    public void Reads_type_index_id_and_if_seq_no()
    {
        Assert.Equal(new BulkAction("index", "s", "1@5", null), Parse("""{"index":{"_index":"s","_id":"1@5"}}"""));
        Assert.Equal(new BulkAction("delete", null, "7", 4), Parse("""{ "delete" : { "_id" : 7, "if_seq_no": 4, "routing": "x" } }"""));
        Assert.Equal(new BulkAction("create", null, null, null), Parse("""{"create":{}}"""));
        Assert.False(Parse("""{"delete":{"_id":"1"}}""").HasSource);
        Assert.True(Parse("""{"update":{"_id":"1"}}""").HasSource);
    }

    [Theory]
    [InlineData("not json", "Malformed action/metadata line [3], expected START_OBJECT or END_OBJECT")]
    [InlineData("""["index"]""", "Malformed action/metadata line [3], expected START_OBJECT or END_OBJECT")]
    [InlineData("""{"index":{"_id":"1"}""", "Malformed action/metadata line [3], expected START_OBJECT or END_OBJECT")]
    [InlineData("""{"upsert":{}}""", "Malformed action/metadata line [3], expected field [create], [delete], [index] or [update] but found [upsert]")]
    [InlineData("""{"index":{},"delete":{}}""", "Malformed action/metadata line [3], expected a simple value for field [index]")]
    [InlineData("""{"index":{"_id":{"a":1}}}""", "Malformed action/metadata line [3], expected START_OBJECT or END_OBJECT")]
    public void Refuses_malformed_lines_with_Elasticsearch_messages(string line, string reason)
    {
        var error = Assert.Throws<SearchException>(() => Parse(line));
        Assert.Equal(400, error.Status);
        Assert.Equal(reason, error.Reason);
    }
}
