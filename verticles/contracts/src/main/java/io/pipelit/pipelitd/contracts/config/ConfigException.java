package io.pipelit.pipelitd.contracts.config;

/** An invalid configuration value. The message names the key; the CLI prints it and exits with 2. */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(String key, String problem) {
    super("invalid configuration: " + key + " " + problem, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
