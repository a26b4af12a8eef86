package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.io.PrintStream;
import java.net.BindException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Turning failures into one line on stderr and an exit code; blocking waits on futures. */
final class Failures {
  private Failures() {}

  /** The environment variable that adds stack traces to error output. */
  static final String DEBUG_ENV = "PIPELITD_DEBUG";

  /** A startup or command failure already described for the user. */
  static final class UserFacingException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    UserFacingException(String message, int exitCode, Throwable cause) {
      super(message, cause, false, false);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }

  static boolean debug(Map<String, String> env) {
    String value = env.get(DEBUG_ENV);
    return value != null && !value.isBlank()
        && !Set.of("0", "false", "no", "off").contains(value.trim().toLowerCase(java.util.Locale.ROOT));
  }

  /** Blocks the calling (non event-loop) thread until the future completes; unwraps its failure. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserFacingException("interrupted", ExitCodes.FAILURE, e);
    } catch (ExecutionException e) {
      throw sneaky(e.getCause() == null ? e : e.getCause());
    }
  }

  /** {@link #await(Future)} with a bound. */
  static <T> T await(Future<T> future, Duration timeout) throws TimeoutException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserFacingException("interrupted", ExitCodes.FAILURE, e);
    } catch (ExecutionException e) {
      throw sneaky(e.getCause() == null ? e : e.getCause());
    }
  }

  private static RuntimeException sneaky(Throwable t) {
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new WrappedCheckedException(t);
  }

  /** Carries a checked failure out of {@link #await}; {@link #message} looks through it. */
  static final class WrappedCheckedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WrappedCheckedException(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /** The exit code for a failure: 2 for configuration and usage problems, else 1. */
  static int exitCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof UserFacingException u) {
        return u.exitCode();
      }
      if (t instanceof ConfigException || t instanceof ConfigFileException) {
        return ExitCodes.USAGE;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return ExitCodes.FAILURE;
  }

  /** One line describing a failure: the most useful message of its cause chain. */
  static String message(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof UserFacingException || t instanceof ConfigException || t instanceof ConfigFileException) {
        return oneLine(t.getMessage());
      }
      if (t instanceof BindException) {
        return "cannot listen: " + oneLine(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return "the store is not available (no handler for the request)";
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return "the store did not answer in time";
      }
      if (ErrorCode.fromValue(reply.failureCode()) == ErrorCode.INTERNAL) {
        return "internal error in the store (details in the log above): " + oneLine(reply.getMessage());
      }
    }
    Throwable t = failure;
    while ((t instanceof WrappedCheckedException || blank(t.getMessage())) && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    return blank(t.getMessage()) ? t.getClass().getSimpleName() : oneLine(t.getMessage());
  }

  /** The ErrorCode of an event-bus failure, or null. */
  static ErrorCode errorCode(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      return ErrorCode.fromValue(reply.failureCode());
    }
    if (failure instanceof StoreException se) {
      return se.code();
    }
    return null;
  }

  /** Prints {@code pipelitd: <message>} (and the stack trace when debugging) to {@code err}. */
  static void report(PrintStream err, String message, Throwable failure, boolean debug) {
    err.println("pipelitd: " + oneLine(message));
    if (debug && failure != null) {
      failure.printStackTrace(err);
    }
    err.flush();
  }

  static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
