using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Beltline.Search.IntegrationTests;

/// <summary>A search server on a free port and a temporary data dir, restartable on the same dir.</summary>
public sealed class SearchServerFixture : IAsyncLifetime
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "beltline-search-it-" + Guid.NewGuid().ToString("N"));
    public SearchServer Server { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string? User { get; init; }
    public string? Password { get; init; }

    public async Task InitializeAsync() => await StartAsync();

    private async Task StartAsync()
    {
        Server = await SearchServer.StartAsync(new SearchServerOptions { Port = 0, DataDir = DataDir, User = User, Password = Password });
        Client = new HttpClient { BaseAddress = Server.BaseAddress };
        if (User is not null)
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
    }

    /// <summary>Stops the server (commit and close) and starts a new one on the same data dir.</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }

    /// <summary>Sends a request as written in ES's docs (<c>GET /index/_search</c> + JSON body) and returns status and parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(string method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> OkAsync(string method, string path, string? body = null, string contentType = "application/json")
    {
        var (status, json) = await SendAsync(method, path, body, contentType);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"{method} {path}: {(int)status} {json?.ToJsonString()}");
        return json!;
    }
}
