package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd status}: asks the running daemon (at the configured HTTP address) for {@code /health}
 * and {@code /ready} and prints both. Exit 0 when ready, 1 when not ready or when nothing answers.
 */
@Command(name = "status", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
    description = "Print the running daemon's health and readiness (exit 0 when ready).")
final class StatusCommand implements Callable<Integer> {
  /** How long each of the two requests may take. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @ParentCommand
  Main main;

  @Option(names = "--http-host", paramLabel = "HOST", description = "The daemon's HTTP address (default: the configured one).")
  String httpHost;

  @Option(names = "--http-port", paramLabel = "PORT", description = "The daemon's HTTP port (default: the configured one).")
  Integer httpPort;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    LaunchContext context = main.context;
    JsonObject flags = new JsonObject();
    Main.flag(flags, ConfigKeys.HTTP_HOST, httpHost);
    Main.flag(flags, ConfigKeys.HTTP_PORT, httpPort);
    PipelitdConfig config = main.loadConfig(flags);
    String host = config.http().host().contains(":") ? "[" + config.http().host() + "]" : config.http().host();
    String base = "http://" + host + ":" + config.http().port();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    try {
      HttpResponse<String> health = get(client, base + "/health");
      HttpResponse<String> ready = get(client, base + "/ready");
      context.out().println("health: " + health.body());
      context.out().println("ready:  " + ready.body());
      return ready.statusCode() == 200 ? ExitCodes.OK : ExitCodes.FAILURE;
    } catch (IOException e) {
      context.err().println("pipelitd: no daemon answers on " + base + " (" + e.getClass().getSimpleName() + ")");
      return ExitCodes.FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILURE;
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
