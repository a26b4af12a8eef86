package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The logging set up in code, against conf/logback.xml (the operators' starting point, read by logback). */
class BundledLoggingTest {
  /** Loggers whose effective levels both configurations must agree on. */
  private static final List<String> LOGGERS = List.of(Logger.ROOT_LOGGER_NAME, "pipelitd",
      "io.pipelit.pipelitd.persistence.PersistenceVerticle", "io.netty.channel.X", "com.zaxxer.hikari.X",
      "com.hazelcast.X", "org.flywaydb.core.X", "io.vertx.core.X", "org.sqlite.X");

  @Test
  void textLogsToStderrWithTheSameLevelsAndPatternAsConfLogbackXml() throws JoranException {
    LoggerContext bundled = new LoggerContext();
    BundledLogging.apply(bundled, false);
    LoggerContext conf = new LoggerContext();
    JoranConfigurator reader = new JoranConfigurator();
    reader.setContext(conf);
    reader.doConfigure(Path.of("..", "conf", "logback.xml").toFile());
    for (String name : LOGGERS) {
      assertEquals(conf.getLogger(name).getEffectiveLevel(), bundled.getLogger(name).getEffectiveLevel(), name);
    }
    assertEquals(Level.WARN, bundled.getLogger("io.netty.channel.X").getEffectiveLevel());
    ConsoleAppender<ILoggingEvent> mine = onlyConsoleAppender(bundled);
    ConsoleAppender<ILoggingEvent> theirs = onlyConsoleAppender(conf);
    assertEquals("System.err", mine.getTarget());
    assertEquals(theirs.getTarget(), mine.getTarget());
    assertEquals(((PatternLayoutEncoder) theirs.getEncoder()).getPattern(),
        ((PatternLayoutEncoder) mine.getEncoder()).getPattern());
    assertTrue(mine.isStarted());
  }

  @Test
  void jsonWritesOneObjectPerLineWithTheFormattedMessage() {
    LoggerContext bundled = new LoggerContext();
    bundled.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as logback's own start sets
    BundledLogging.apply(bundled, true);
    ConsoleAppender<ILoggingEvent> stderr = onlyConsoleAppender(bundled);
    JsonEncoder json = assertInstanceOf(JsonEncoder.class, stderr.getEncoder());
    ch.qos.logback.classic.Logger logger = bundled.getLogger("pipelitd");
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        getClass().getName(), logger, Level.INFO, "applied {} migration(s)", null, new Object[] {7});
    String line = new String(json.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
    assertTrue(line.contains("\"formattedMessage\":\"applied 7 migration(s)\""), line);
    assertTrue(line.contains("\"level\":\"INFO\"") && line.contains("\"loggerName\":\"pipelitd\""), line);
  }

  private static ConsoleAppender<ILoggingEvent> onlyConsoleAppender(LoggerContext context) {
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    Iterator<Appender<ILoggingEvent>> all = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    all.forEachRemaining(appenders::add);
    assertEquals(1, appenders.size(), appenders.toString());
    @SuppressWarnings("unchecked")
    ConsoleAppender<ILoggingEvent> console = assertInstanceOf(ConsoleAppender.class, appenders.get(0));
    return console;
  }

  @Test
  void anOperatorsFileWinsOnlyWhenLogbackCanFindIt() throws Exception {
    String before = System.getProperty(BundledLogging.CONFIGURATION_FILE);
    try {
      Path conf = Path.of("..", "conf", "logback.xml");
      System.setProperty(BundledLogging.CONFIGURATION_FILE, conf.toString());
      LoggerContext stepsAside = new LoggerContext();
      assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, configurator(stepsAside).configure(stepsAside));
      assertFalse(stepsAside.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());

      // A path that resolves nowhere: logback's fallback would log DEBUG to stdout; the bundled set-up stays.
      System.setProperty(BundledLogging.CONFIGURATION_FILE, "no/such/logback.xml");
      LoggerContext bundled = new LoggerContext();
      assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configurator(bundled).configure(bundled));
      assertEquals("System.err", onlyConsoleAppender(bundled).getTarget());
      assertEquals(Level.INFO, bundled.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
    } finally {
      if (before == null) {
        System.clearProperty(BundledLogging.CONFIGURATION_FILE);
      } else {
        System.setProperty(BundledLogging.CONFIGURATION_FILE, before);
      }
    }
  }

  private static BundledLogging configurator(LoggerContext context) {
    BundledLogging configurator = new BundledLogging();
    configurator.setContext(context);
    return configurator;
  }
}
