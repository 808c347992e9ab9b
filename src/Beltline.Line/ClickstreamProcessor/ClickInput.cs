using System.Text.Json;

namespace Beltline.Line.ClickstreamProcessor;

/// <summary>The fields of a click the job uses, read from the JSON `beltline clickstream` (and the original) writes.</summary>
internal readonly record struct ClickInput(long EventTimestamp, long UserId, bool IsOrderCheckout, string ProductType)
{
    // Epoch milliseconds after year 9999 is no clock's reading.
    private const long LatestTimestamp = 253_402_300_799_999;

    private static readonly string[] KnownProducts = ["N/A", "", "cell phones", "laptops", "ear phones", "soundbars", "cd players", "AirPods", "video games", "cameras"];

    /// <summary>Parses one record value; false with a reason when it is not a usable click.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out ClickInput click, out string? reason)
    {
        click = default;
        long? timestamp = null, userId = null;
        bool? checkout = null;
        string? product = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "not a JSON object";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("eventtimestamp"u8))
                    timestamp = ReadInt64(ref reader);
                else if (reader.ValueTextEquals("userid"u8))
                    userId = ReadInt64(ref reader);
                else if (reader.ValueTextEquals("event_type"u8))
                {
                    reader.Read();
                    checkout = reader.TokenType == JsonTokenType.String ? reader.ValueTextEquals("order_checkout"u8) : null;
                }
                else if (reader.ValueTextEquals("product_type"u8))
                {
                    reader.Read();
                    product = reader.TokenType == JsonTokenType.String ? Intern(ref reader) : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            reason = "not JSON: " + e.Message;
            return false;
        }
        reason = timestamp is null ? "eventtimestamp is missing or not an integer"
            : userId is null ? "userid is missing or not an integer"
            : checkout is null ? "event_type is missing or not a string"
            : product is null ? "product_type is missing or not a string"
            : timestamp <= 0 || timestamp > LatestTimestamp ? $"eventtimestamp {timestamp} is not a time"
            : null;
        if (reason is not null)
            return false;
        click = new ClickInput(timestamp!.Value, userId!.Value, checkout!.Value, product!);
        return true;
    }

    /// <summary>Whether the click names a product: UserAggregate counts only those.</summary>
    public bool HasProduct => ProductType.Length > 0 && ProductType != "N/A";

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
    }

    // The generator's product names come back as the same string objects: no allocation per click.
    private static string Intern(ref Utf8JsonReader reader)
    {
        foreach (var known in KnownProducts)
            if (reader.ValueTextEquals(known))
                return known;
        return reader.GetString()!;
    }
}
