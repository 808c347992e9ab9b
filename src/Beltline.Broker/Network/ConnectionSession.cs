using Beltline.Security.Sasl;

namespace Beltline.Broker.Network;

/// <summary>
/// Who is on a connection and, on a SASL listener, how far their authentication got (KIP-43, KIP-152): until it
/// completes only ApiVersions, SaslHandshake and SaslAuthenticate are served. A session may end (KIP-368's
/// connections.max.reauth.ms): the client then re-authenticates on the same connection or is cut off.
/// </summary>
internal sealed class ConnectionSession(string principal, bool saslRequired, TimeSpan? lifetime = null)
{
    /// <summary>KIP-368's connections.max.reauth.ms for this listener's SASL sessions (null: forever).</summary>
    public TimeSpan? Lifetime { get; } = lifetime;

    /// <summary>
    /// After a v0 SaslHandshake the client sends the mechanism's tokens raw (size-prefixed, without Kafka headers)
    /// and reads the answers the same way, until the exchange completes (kafka-python 2.0 does this).
    /// </summary>
    public bool RawTokens { get; set; }

    /// <summary>Kafka's principal: <c>User:ANONYMOUS</c>, <c>User:CN=…</c> from a TLS client certificate, <c>User:name</c> after SASL.</summary>
    public string Principal { get; private set; } = principal;

    public bool SaslRequired { get; } = saslRequired;

    /// <summary>The mechanism's exchange in progress, after a successful SaslHandshake.</summary>
    public ISaslServer? Exchange { get; set; }

    public bool Authenticated { get; private set; }

    /// <summary>When the session ends (Environment.TickCount64), or long.MaxValue for never.</summary>
    public long ExpiresAt { get; private set; } = long.MaxValue;

    /// <summary>Whether a request other than the SASL ones may be served now.</summary>
    public bool MayServe => !SaslRequired || (Authenticated && Environment.TickCount64 < ExpiresAt);

    public void Authenticate(string user)
    {
        Principal = "User:" + user;
        Authenticated = true;
        Exchange = null;
        RawTokens = false;
        ExpiresAt = Lifetime is { } span ? Environment.TickCount64 + (long)span.TotalMilliseconds : long.MaxValue;
    }
}
