using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Beltline.Search.IntegrationTests;

/// <summary>With a master user configured, every request needs HTTP basic auth, as with ES security on.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private readonly SearchServerFixture _es = new() { User = "master", Password = "s3cret" };

    public Task InitializeAsync() => _es.InitializeAsync();
    public Task DisposeAsync() => _es.DisposeAsync();

    [Fact]
    public async Task The_master_user_gets_in()
    {
        Assert.Equal("You Know, for Search", (await _es.OkAsync("GET", "/"))["tagline"]!.GetValue<string>());
        await _es.OkAsync("PUT", "/secured/_doc/1", """{"a":1}""");
    }

    [Fact]
    public async Task No_credentials_is_a_401_with_the_challenge()
    {
        using var anonymous = new HttpClient { BaseAddress = _es.Server.BaseAddress };
        using var response = await anonymous.GetAsync("/_cat/indices");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"security\" charset=\"UTF-8\"", response.Headers.WwwAuthenticate.Single().ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("security_exception", body["error"]!["type"]!.GetValue<string>());
        Assert.Equal("missing authentication credentials for REST request [/_cat/indices]", body["error"]!["reason"]!.GetValue<string>());
        Assert.Equal(401, body["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_wrong_password_is_a_401()
    {
        using var wrong = new HttpClient { BaseAddress = _es.Server.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("master:nope")));
        using var response = await wrong.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("unable to authenticate user [master] for REST request [/]", body["error"]!["reason"]!.GetValue<string>());
    }
}
