package io.pipelit.pipelitd.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.DefaultJoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import java.util.Map;
import org.slf4j.Logger;

/**
 * pipelitd's bundled logging, set up in code (found by logback through {@code META-INF/services}): logs
 * go to stderr, so that stdout carries only command output (the API key {@code setup} prints); under
 * systemd both end up in the journal. {@code PIPELITD_LOG_FORMAT=json} (environment or system property)
 * writes one JSON object per line instead; the launcher refuses values other than text and json (exit 2).
 *
 * <p>Why code and not a bundled logback.xml: logback's XML reader (an XML parser and its configuration
 * model, about 400 classes) took 270 ms of a 1.9 s first start on 2 cores before the first line could be
 * logged; this class takes about 100 ms (docs/benchmarks.md, fourth round).
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile=...} naming a file that
 * exists, this configurator steps aside and logback reads that file. conf/logback.xml is a starting
 * point with the same text format and levels ({@code BundledLoggingTest} keeps them in step) but no JSON
 * appender: with an operator's file, {@code PIPELITD_LOG_FORMAT} does not apply.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class BundledLogging extends ContextAwareBase implements Configurator {
  /** The text format's layout: time (local), level, the logger's last name segment, the message. */
  static final String TEXT_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%logger{0}] %msg%n";

  /** Library loggers quieter than the root's INFO; everything else logs at INFO. */
  static final Map<String, Level> LEVELS = Map.of(
      "io.netty", Level.WARN,
      "com.zaxxer", Level.WARN,
      "com.hazelcast", Level.WARN,
      "org.flywaydb", Level.INFO,
      "io.vertx", Level.INFO);

  /** The system property naming an operator's logback file (logback's own name for it). */
  static final String CONFIGURATION_FILE = "logback.configurationFile";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    String operatorFile = System.getProperty(CONFIGURATION_FILE);
    if (operatorFile != null) {
      // logback's own search (the property as a URL, a classpath resource or a file), without reading it.
      DefaultJoranConfigurator logbacks = new DefaultJoranConfigurator();
      logbacks.setContext(context);
      if (logbacks.findURLOfDefaultConfigurationFile(false) != null) {
        return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the operator's file, read by logback's own configurator
      }
      // Stepping aside here would leave logback with no file at all: its fallback logs DEBUG to stdout,
      // where setup prints the API key. Keep the bundled set-up and say why, once, on stderr.
      System.err.println("pipelitd: " + CONFIGURATION_FILE + "=" + operatorFile
          + " is neither a URL, a classpath resource nor a file (relative paths are taken from the working"
          + " directory); using the bundled logging");
    }
    String format = System.getProperty(ConfigKeys.LOG_FORMAT, System.getenv(ConfigKeys.LOG_FORMAT));
    apply(context, "json".equals(format));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Sets up {@code context}: stderr in the text format, or one JSON object per line. */
  static void apply(LoggerContext context, boolean json) {
    NopStatusListener quiet = new NopStatusListener(); // logback's own start-up chatter stays off stderr
    context.getStatusManager().add(quiet);
    Encoder<ILoggingEvent> encoder = json ? jsonEncoder() : textEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(json ? "json" : "text");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
  }

  private static Encoder<ILoggingEvent> textEncoder() {
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setPattern(TEXT_PATTERN);
    return text;
  }

  /** The formatted message only (no raw message, arguments, context or sequence numbers). */
  private static Encoder<ILoggingEvent> jsonEncoder() {
    JsonEncoder json = new JsonEncoder();
    json.setWithSequenceNumber(false);
    json.setWithNanoseconds(false);
    json.setWithContext(false);
    json.setWithArguments(false);
    json.setWithMessage(false);
    json.setWithFormattedMessage(true);
    return json;
  }
}
