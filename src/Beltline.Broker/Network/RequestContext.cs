using System.Net;
using Beltline.Protocol;

namespace Beltline.Broker.Network;

/// <summary>One request in flight: its header, where it came from, and resources to release once answered.</summary>
internal sealed class RequestContext(RequestHeader header, ListenerOptions listener, EndPoint? remote, CancellationToken aborted, ConnectionSession session,
    Beltline.Security.Acls.Authorizer? authorizer = null)
{
    /// <summary>The broker's authorizer, or null when ACLs are off (everything is allowed, as in Kafka without one).</summary>
    public Beltline.Security.Acls.Authorizer? Authorizer { get; } = authorizer;

    /// <summary>Whether the connection's principal may do <paramref name="operation"/> on the resource.</summary>
    public bool IsAllowed(Beltline.Security.Acls.AclOperation operation, Beltline.Security.Acls.ResourceType type, string name) =>
        Authorizer is null || Authorizer.Authorize(Session.Principal, ClientHost, operation, type, name);

    /// <summary>The client's address as ACL hosts name it.</summary>
    public string ClientHost => RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "*";

    /// <summary>The connection's principal and SASL state.</summary>
    public ConnectionSession Session { get; } = session;

    /// <summary>Set by a handler whose response must be the connection's last (a failed SASL authentication).</summary>
    public bool CloseAfterResponse { get; set; }

    private List<IDisposable>? _resources;

    public RequestHeader Header { get; } = header;
    public short ApiVersion => Header.ApiVersion;
    public ListenerOptions Listener { get; } = listener;
    public EndPoint? RemoteEndPoint { get; } = remote;

    /// <summary>Signalled when the connection closes or the broker stops: long polls end early.</summary>
    public CancellationToken Aborted { get; } = aborted;

    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Keeps <paramref name="resource"/> alive until the response has been written (e.g. a segment being read).</summary>
    public void ReleaseAfterResponse(IDisposable resource) => (_resources ??= []).Add(resource);

    public void ReleaseResources()
    {
        if (_resources is null)
            return;
        foreach (var resource in _resources)
            resource.Dispose();
        _resources = null;
    }
}
