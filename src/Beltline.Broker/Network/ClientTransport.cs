using System.IO.Pipelines;
using System.Net;

namespace Beltline.Broker.Network;

/// <summary>An accepted client as a Kafka connection sees it: its pipes, who it is, and a way to cut it off.</summary>
internal sealed class ClientTransport(Stream stream, PipeReader input, PipeWriter output, string connectionId, EndPoint? remoteEndPoint, Action abort, string principal)
{
    /// <summary>Who the client is, as Kafka names principals: <c>User:CN=…</c> from a TLS client certificate, else <c>User:ANONYMOUS</c>.</summary>
    public string Principal { get; } = principal;

    /// <summary>
    /// The byte stream under <see cref="Input"/>: large frames are read from it straight into their own buffer,
    /// once the pipe holds nothing unread, rather than through the pipe and a copy.
    /// </summary>
    public Stream Stream { get; } = stream;

    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;
    public string ConnectionId { get; } = connectionId;
    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>Closes the connection at once; pending reads and writes fail.</summary>
    public void Abort() => abort();
}
